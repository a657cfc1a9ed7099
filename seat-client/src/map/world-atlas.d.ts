// world-atlas ships Natural Earth as TopoJSON files without type declarations.
declare module 'world-atlas/countries-110m.json' {
  const topology: import('topojson-specification').Topology<{
    countries: import('topojson-specification').GeometryCollection;
    land: import('topojson-specification').GeometryCollection;
  }>;
  export default topology;
}
