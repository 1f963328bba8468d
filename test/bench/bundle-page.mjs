// One browser bundle of a benchmark page (the engine and ORT, as build.mjs bundles the plugin's UI).
import * as esbuild from 'esbuild';

export async function bundlePage(entry) {
  const r = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    // As build.mjs: ORT's bundle reads import.meta.url only to find files we hand it as bytes.
    define: { 'import.meta.url': '""' },
    logOverride: { 'empty-import-meta': 'silent' },
  });
  return r.outputFiles[0].text;
}
