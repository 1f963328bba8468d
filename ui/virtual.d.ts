// Provided by build.mjs: the engine worker bundle as a string, started from a blob URL.
declare module 'virtual:worker-source' {
  const source: string;
  export default source;
}
