import { test } from 'node:test';
import assert from 'node:assert/strict';
import { child, children, escapeXml, parseXml, XmlSyntaxError } from '../../src/data/xml.ts';

test('parseXml reads elements, attributes, entities, comments, CDATA and self-closing tags', () => {
  const root = parseXml(`<?xml version="1.0"?>
<!DOCTYPE annotation>
<!-- leading comment -->
<annotation version='2'>
  <name>a &amp; b &lt;c&gt; &#65;&#x42;</name>
  <empty/>
  <raw><![CDATA[<not a tag>]]></raw>
  <item k="v &quot;q&quot;">1</item><item>2</item>
</annotation>
<!-- trailing -->`);
  assert.equal(root.name, 'annotation');
  assert.deepEqual(root.attrs, { version: '2' });
  assert.equal(root.line, 4);
  assert.equal(child(root, 'name')!.text, 'a & b <c> AB');
  assert.equal(child(root, 'empty')!.children.length, 0);
  assert.equal(child(root, 'raw')!.text, '<not a tag>');
  assert.deepEqual(
    children(root, 'item').map((e) => e.text),
    ['1', '2'],
  );
  assert.equal(children(root, 'item')[0].attrs.k, 'v "q"');
});

test('parseXml reports the line of a syntax error', () => {
  const cases: Array<[string, number, RegExp]> = [
    ['<a>\n<b>\n</c>\n</a>', 3, /<\/c> closes <b>/],
    ['<a>\n<b>x</b>', 2, /never closed/],
    ['<a>x & y</a>', 1, /bare "&"/],
    ['<a>&nbsp;</a>', 1, /unknown entity/],
    ['<a></a><b></b>', 1, /after the root/],
    ['', 1, /no root element/],
    ['<a x=1></a>', 1, /must be quoted/],
  ];
  for (const [text, line, re] of cases) {
    assert.throws(
      () => parseXml(text),
      (err: unknown) => err instanceof XmlSyntaxError && err.line === line && re.test(err.message),
      JSON.stringify(text),
    );
  }
});

test('escapeXml round-trips through parseXml', () => {
  const s = `a<b>&"c'`;
  assert.equal(parseXml(`<x>${escapeXml(s)}</x>`).text, s);
});
