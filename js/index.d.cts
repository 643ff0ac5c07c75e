// The types of require('licverify') (node.cjs): index.d.ts's, the one
// declaration of the API.
export * from './index.js';
