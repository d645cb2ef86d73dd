/**
 * facegate with openapi-typescript's types and openapi-fetch: the JSON operations (images as base64), which
 * these two type exactly, with no body serializer and no casts. Run by CI beside the SDK's example.
 *
 *     node dist/examples/openapi-fetch/quickstart.js URL KEY ALICE_1.jpg ALICE_2.jpg NOT_A_FACE.jpg
 */
import { strict as assert } from 'node:assert';
import { readFile } from 'node:fs/promises';

import createClient from 'openapi-fetch';

import type { paths } from './schema.js';

const [url, key, alice1, alice2, notAFace] = process.argv.slice(2) as [string, string, string, string, string];
const client = createClient<paths>({ baseUrl: url, headers: { Authorization: `Bearer ${key}` } });
const gallery = 'quickstart-openapi-fetch';

async function photo(path: string): Promise<{ data: string }> {
  return { data: (await readFile(path)).toString('base64') };
}

const enrolled = await client.POST('/v1/enroll/json', {
  body: { subject: 'alice', gallery, images: [await photo(alice1)] },
});
assert.ok(enrolled.data, JSON.stringify(enrolled.error));
assert.equal(enrolled.data.subject.face_count, 1);

const checked = await client.POST('/v1/verify/json', {
  body: { image: await photo(alice2), subject: 'alice', gallery },
});
assert.ok(checked.data, JSON.stringify(checked.error));
assert.equal(checked.data.match, true);
console.log(`verify: score ${checked.data.score.toFixed(3)}, match ${checked.data.match}`);

const found = await client.POST('/v1/identify/json', { body: { image: await photo(alice2), gallery } });
assert.ok(found.data, JSON.stringify(found.error));
assert.equal(found.data.faces[0]?.match?.subject, 'alice');

const listed = await client.GET('/v1/subjects', { params: { query: { gallery } } });
assert.ok(listed.data, JSON.stringify(listed.error));
assert.deepEqual(listed.data.items.map((subject) => subject.subject), ['alice']);

const refused = await client.POST('/v1/verify/json', {
  body: { image: await photo(notAFace), subject: 'alice', gallery },
});
assert.ok(refused.error);
assert.equal(refused.error.code, 'NO_FACE');
console.log(`a photo without a face: ${refused.error.status} ${refused.error.code}`);

const receipt = await client.DELETE('/v1/subjects/{subject}', {
  params: { path: { subject: 'alice' }, query: { gallery } },
});
assert.ok(receipt.data, JSON.stringify(receipt.error));
assert.deepEqual(receipt.data.subjects, ['alice']);
console.log(`deleted: ${receipt.data.subjects.join(', ')}`);
