// esbuild bundles .css files as text (luci-app-bond/build.mjs); the view injects it.
declare module '*.css' {
  const text: string;
  export default text;
}
