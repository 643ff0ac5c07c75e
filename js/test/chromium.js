// Debian's Chromium, as the browser tests and bench/run.mjs launch it through
// playwright-core (never a browser build of its own): its path and flags.

export const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';

export const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
