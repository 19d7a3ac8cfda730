/**
 * The import rules of src/README.md ("Layers"), checked by dependency-cruiser in `npm test`
 * (scripts/test.sh) and by test/architecture/layers.test.ts:
 *
 * - no import cycles;
 * - a folder imports only from layers below its own (and from itself); `import type` counts too;
 * - `dialogs/` imports only xstate and its own files;
 * - `src/understanding/` does not import botbuilder (its code or its types).
 *
 * LAYERS is the table in src/README.md, bottom first; the test holds the rules to that table.
 */

/** Each layer: the modules in it, as path patterns relative to the repository. */
const LAYERS = [
  { name: 'machine', paths: ['dialogs/', 'src/paths.ts'] },
  { name: 'foundations', paths: ['src/web/', 'src/storage/', 'src/i18n/'] },
  { name: 'settings and reading', paths: ['src/config.ts', 'src/understanding/'] },
  { name: 'logging', paths: ['src/logger.ts'] },
  { name: 'the turn', paths: ['src/bot/'] },
  { name: 'channels and operations', paths: ['src/channels/', 'src/ops/'] },
  { name: 'agent console', paths: ['src/agent/'] },
  { name: 'HTTP service', paths: ['src/http/'] },
  { name: 'assembly', paths: ['src/app.ts', 'src/cli/'] },
  { name: 'process', paths: ['src/server.ts'] },
];

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A pattern for a module path: a folder's files, or the one file. */
const pattern = (modulePath) => `^${escape(modulePath)}${modulePath.endsWith('/') ? '' : '$'}`;

/** For every module of a layer: nothing in its own layer but its own folder, nothing above. */
const layerRules = LAYERS.flatMap((layer, rank) =>
  layer.paths.flatMap((from) => {
    const above = LAYERS.slice(rank).flatMap((other) => other.paths).filter((to) => to !== from);
    if (above.length === 0) return []; // the top: it may import everything below
    return [
      {
        name: 'no-upward-import',
        comment: `${from} is in layer ${rank + 1} (${layer.name}) of src/README.md: it may import only its own files and the layers below`,
        severity: 'error',
        from: { path: pattern(from) },
        to: { path: above.map(pattern) },
      },
    ];
  }),
);

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle: the modules in it can only be understood, tested and loaded together.',
      severity: 'error',
      from: { path: '^(src|dialogs)/' },
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'dialogs-pure',
      comment: 'dialogs/ is the statechart alone: xstate and its own files, no I/O, no botbuilder.',
      severity: 'error',
      from: { path: '^dialogs/' },
      to: { pathNot: ['^dialogs/', '^node_modules/xstate/'] },
    },
    {
      name: 'understanding-without-botbuilder',
      comment: 'src/understanding/ reads text and card values; it knows nothing of Bot Framework activities.',
      severity: 'error',
      from: { path: '^src/understanding/' },
      to: { path: '^node_modules/(botbuilder|botframework-)' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing cannot be checked against the rules above.',
      severity: 'error',
      from: { path: '^(src|dialogs)/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // `import type` is an import too: the layers are about what a module knows, not only what it loads.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
