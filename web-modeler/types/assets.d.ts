// esbuild loaders: stylesheets are bundled into <page>.css; diagrams and forms import as text.
declare module '*.css';
declare module '*.bpmn' {
  const xml: string;
  export default xml;
}
declare module '*.form' {
  const schema: string;
  export default schema;
}
