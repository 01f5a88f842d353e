import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from './errors/domain-errors.js';
import { page } from './requests.js';
import { checkRequestText } from './text-guard.js';

function refused(request: unknown, field: string, message: RegExp): void {
  assert.throws(
    () => checkRequestText(request),
    (err: unknown) => err instanceof ValidationError && err.field === field && message.test(err.message),
    `${JSON.stringify(request)?.slice(0, 80)} should be refused at ${field}`,
  );
}

describe('checkRequestText: what no read model can hold is refused at the edge, naming the field', () => {
  it('takes ordinary Chinese and English text, emoji (surrogate pairs), tabs and line breaks', () => {
    checkRequestText({
      title: '创建现代文明机关，优化政务环境',
      tasks: [{ title: 'Plan 🚩 a\tb\r\nc', owner: { name: '张三' } }],
      count: 3,
      flag: true,
      nothing: null,
    });
  });

  it('refuses NUL and the other control characters, with their code point and place', () => {
    refused({ title: 'a\u0000b' }, 'title', /control character \(U\+0000\) at character 1/);
    refused({ tasks: [{ title: 'ok' }, { title: '\u001b[31m' }] }, 'tasks[1].title', /U\+001B/);
    refused({ note: 'x\u007f' }, 'note', /U\+007F/);
    refused({ note: '\u0085' }, 'note', /U\+0085/);
  });

  it('refuses lone surrogates (high without low, low without high) but not pairs', () => {
    refused({ name: 'a\uD800' }, 'name', /lone surrogate \(U\+D800\)/);
    refused({ name: '\uDC00a' }, 'name', /lone surrogate \(U\+DC00\)/);
    refused({ name: '\uD83D\uD83D\uDE00' }, 'name', /lone surrogate/);
    checkRequestText({ name: '\uD83D\uDE00' });
  });

  it('refuses bidirectional overrides and noncharacters', () => {
    refused({ unitName: 'abc\u202Edcb' }, 'unitName', /bidirectional control character \(U\+202E\)/);
    refused({ unitName: '\u2066x' }, 'unitName', /U\+2066/);
    refused({ unitName: '\uFFFF' }, 'unitName', /noncharacter/);
  });

  it('refuses keys a document store cannot hold', () => {
    refused({ data: { $where: 1 } }, 'data.$where', /starting with "\$"/);
    refused({ data: { 'a.b': 1 } }, 'data.a.b', /containing "\."/);
    refused({ data: { '': 1 } }, 'data.', /empty key/);
    refused({ data: { 'a\u0000': 1 } }, 'data.a\u0000', /control character/);
  });

  it('bounds depth, string length, array length and total size, without recursion', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    assert.throws(() => checkRequestText(deep), /nested more than 32 levels/);
    let deepArrays: unknown = [];
    for (let i = 0; i < 100_000; i++) deepArrays = [deepArrays];
    assert.throws(() => checkRequestText(deepArrays), /nested more than 32 levels/);
    refused({ text: 'x'.repeat(65_537) }, 'text', /65537 characters long; at most 65536/);
    checkRequestText({ text: 'x'.repeat(65_536) });
    refused({ list: new Array(10_001).fill(1) }, 'list', /10001 items/);
    assert.throws(() => checkRequestText({ a: new Array(10_000).fill({ b: [1, 2, 3] }) }, { maxNodes: 1000 }), /more than 1000 values/);
  });

  it('is linear: a 4 MB string of Chinese text is checked in well under a second', () => {
    const big = '文明'.repeat(2_000_000);
    const started = process.hrtime.bigint();
    checkRequestText({ text: big }, { maxStringLength: big.length });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(ms < 1000, `${ms} ms`);
  });
});

describe('page: tokens are what the server gave out', () => {
  const items = Array.from({ length: 250 }, (_, i) => i);
  it('pages through with the tokens it gives', () => {
    const first = page(items, { page: { pageSize: 100 } });
    assert.equal(first.items.length, 100);
    assert.equal(first.page.nextPageToken, '100');
    const last = page(items, { page: { pageSize: 100, pageToken: '200' } });
    assert.deepEqual(last.items, items.slice(200));
    assert.equal(last.page.nextPageToken, '');
  });
  it('refuses an invented token or a negative size, naming the field', () => {
    for (const pageToken of ['-1', 'abc', '1e3', '0x10', '99999999999999999999', ' 1', '01']) {
      assert.throws(
        () => page(items, { page: { pageToken } }),
        (err: unknown) => err instanceof ValidationError && err.field === 'page.pageToken',
        pageToken,
      );
    }
    assert.throws(() => page(items, { page: { pageSize: -5 } }), /page.pageSize/);
  });
});
