// Package verify holds licverify's pure verifiers: document bytes, a
// [Keyring] and the time "now" go in; a typed result comes out. Nothing here
// reads a file, the environment or a clock, and nothing keeps global state,
// so the same inputs give the same result in every runtime — natively, and
// compiled into the WebAssembly module the other runtimes share.
//
// For most use cases, load the issuer's public keys once with
// [ParseKeyring], then call the verifier for the document at hand:
//
//   - [StatusProof] for a signed license status proof;
//   - [RevocationSet], then [VerifiedSet.Lookup] and [VerifiedSet.ApplyDelta],
//     for revocation sets and their deltas; [CheckEpoch] is the anti-rollback
//     guard;
//   - [License] for a Licensing Engine license.key with its
//     license.state.json;
//   - [QKey] for an encrypted or plain .qkey license.
//
// [FingerprintHash] computes the device hash that proofs and licenses bind
// to, and [Ed25519] exposes the signature rule itself.
//
// # Results and errors
//
// Every result embeds [Result]: Valid, a stable [Code] and a Message for
// people. Valid is true only with [CodeOK]; a rejected document is a normal
// result, not an error. Verifiers return an error only for misuse — a nil
// keyring, a zero time — and that error wraps [ErrMisuse]. Functions that
// build inputs ([ParseKeyring], [FingerprintHash]) return an [*Error] whose
// Code says what was refused.
//
// # Order of checks
//
// Every format is checked parse → signature envelope → shape → key →
// signature → key window → the format's own rules, so a document changed
// after signing always reports [CodeBadSignature], never a code derived
// from the forged content. Claims are read from the canonical bytes that
// were verified, by exact member name.
package verify
