// The pause between a bench case's first run and its timed runs.
//
// Chromium compiles the engine's WebAssembly in two tiers: a quick baseline compile first, then, in
// background threads, optimised code for the functions that run hot. On the 2-core development
// machine the optimised code is all in place about five seconds after a model's session opens (and
// the panel's warm-up run); runs before that are up to 2.5× slower (a `restore-x2` run on a 256×192
// layer: 1.5 s right after opening, 1.07 s three seconds later, 0.49 s five seconds later, 0.41 s
// once settled, timed by hand with a throwaway script). Runs taken back to back right after the first one would time a mix of both tiers, so
// the timed runs start after this pause and the first run is reported on its own.
export const SETTLE_MS = 6000;

export const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
