/**
 * Whether a source file is written as an ES module. Node decides a `.js`/`.ts` file's module
 * system from the nearest package.json's "type" alone when that field is present, so an app
 * written with `import`/`export` fails to load in a project that says `"type": "commonjs"`
 * (npm's default). dash-ts loads the app's own files by what they contain instead, as Node itself
 * does for packages without a "type" field.
 *
 * The test is lexical, on the raw text (TypeScript included, so no transpiler is needed): an
 * `import` or `export` statement at the start of a line. `import(` and `import.meta` are not
 * statements and do not count.
 */
const MODULE_STATEMENT =
  /^[ \t]*(?:import[ \t]*(?:type[ \t]+)?[\w*{$]|import[ \t]*['"]|export[ \t]*[{*]|export[ \t]+(?:default|const|let|var|function|class|async|type|interface|enum|abstract|declare|namespace|as)\b)/m;

export function hasModuleSyntax(source: string): boolean {
  return MODULE_STATEMENT.test(withoutComments(source));
}

/** Drops block and line comments, roughly (enough that commented-out imports do not count). */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^[ \t]*\/\/.*$/gm, '');
}
