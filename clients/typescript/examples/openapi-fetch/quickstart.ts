/**
 * facegate with openapi-typescript's types and openapi-fetch: the JSON operations (images as base64), which
 * these two type exactly, with no body serializer and no casts. Run by CI beside the SDK's example.
 *
 *     node dist/examples/openapi-fetch/quickstart.js URL KEY ALICE_1.jpg ALICE_2.jpg BOB.jpg NOT_A_FACE.jpg
 */
import { strict as assert } from 'node:assert';
import { readFile } from 'node:fs/promises';

import createClient from 'openapi-fetch';

import type { paths } from './schema.js';

const [url, key, alice1, alice2, bob, notAFace] = process.argv.slice(2) as [string, string, string, string,
  string, string];
const client = createClient<paths>({ baseUrl: url, headers: { Authorization: `Bearer ${key}` } });
const gallery = 'quickstart-openapi-fetch';

async function photo(path: string): Promise<{ data: string }> {
  return { data: (await readFile(path)).toString('base64') };
}

for (const [subject, path] of [['alice', alice1], ['bob', bob]] as const) {
  const enrolled = await client.POST('/v1/enroll/json', { body: { subject, gallery, images: [await photo(path)] } });
  assert.ok(enrolled.data, JSON.stringify(enrolled.error));
  assert.equal(enrolled.data.subject.face_count, 1);
}

for (const [subject, expected] of [['alice', true], ['bob', false]] as const) {
  const checked = await client.POST('/v1/verify/json', { body: { image: await photo(alice2), subject, gallery } });
  assert.ok(checked.data, JSON.stringify(checked.error));
  console.log(`verify against ${subject}: score ${checked.data.score.toFixed(3)}, match ${checked.data.match}`);
  assert.equal(checked.data.match, expected);
}

const found = await client.POST('/v1/identify/json', { body: { image: await photo(alice2), gallery } });
assert.ok(found.data, JSON.stringify(found.error));
assert.equal(found.data.faces[0]?.match?.subject, 'alice');

const listed = await client.GET('/v1/subjects', { params: { query: { gallery } } });
assert.ok(listed.data, JSON.stringify(listed.error));
assert.deepEqual(listed.data.items.map((subject) => subject.subject), ['alice', 'bob']);

const refused = await client.POST('/v1/verify/json', {
  body: { image: await photo(notAFace), subject: 'alice', gallery },
});
assert.ok(refused.error);
assert.equal(refused.error.code, 'NO_FACE');
console.log(`a photo without a face: ${refused.error.status} ${refused.error.code}`);

for (const subject of ['alice', 'bob']) {
  const receipt = await client.DELETE('/v1/subjects/{subject}', {
    params: { path: { subject }, query: { gallery } },
  });
  assert.ok(receipt.data, JSON.stringify(receipt.error));
  assert.deepEqual(receipt.data.subjects, [subject]);
}
console.log('deleted: alice, bob');
