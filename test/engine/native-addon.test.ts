import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { native } from '../../src/engine/native.js';

const declarationFile = fileURLToPath(new URL('../../src/engine/native-addon.ts', import.meta.url));

/** The member names of the NativeAddon interface, read from its source with the TypeScript compiler. */
function declaredNames(): Set<string> {
  const source = ts.createSourceFile(declarationFile, readFileSync(declarationFile, 'utf8'), ts.ScriptTarget.Latest);
  const names = new Set<string>();
  let found = false;
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node) || node.name.text !== 'NativeAddon') return;
    found = true;
    for (const member of node.members) {
      const name = member.name;
      assert.ok(name && (ts.isIdentifier(name) || ts.isStringLiteral(name)), 'every member has a plain name');
      names.add(name.text); // overloads declare a name more than once
    }
  });
  assert.ok(found, `no NativeAddon interface in ${declarationFile}`);
  return names;
}

test('NativeAddon declares exactly the functions the C++ addon exports', () => {
  const declared = declaredNames();
  const exported = new Set(Object.keys(native));
  for (const name of exported) assert.equal(typeof Reflect.get(native, name), 'function', `${name} is a function`);
  const undeclared = [...exported].filter((n) => !declared.has(n)).sort();
  const notExported = [...declared].filter((n) => !exported.has(n)).sort();
  assert.deepEqual(
    { undeclared, notExported },
    { undeclared: [], notExported: [] },
    `the addon exports ${undeclared.length ? undeclared.join(', ') : 'nothing'} that NativeAddon does not declare; ` +
      `NativeAddon declares ${notExported.length ? notExported.join(', ') : 'nothing'} that the addon does not export`,
  );
  assert.ok(declared.size > 200, `read ${declared.size} names: the parse found the interface's members`);
});
