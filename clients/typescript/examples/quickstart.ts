/**
 * facegate from TypeScript, through the generated client (@hey-api/openapi-ts): run by CI against a live server.
 *
 *     node dist/examples/quickstart.js URL KEY ALICE_1.jpg ALICE_2.jpg BOB.jpg NOT_A_FACE.jpg
 *
 * Enrolls Alice and Bob from a photo each, verifies Alice's second photo against both, identifies it, lists the
 * gallery, shows the typed error a photo without a face gets, and deletes both. Every step checks its answer.
 */
import { strict as assert } from 'node:assert';
import { readFile } from 'node:fs/promises';

import { createClient, deleteSubject, enroll, identify, listSubjects, verify } from '../src/index.js';

const [url, key, alice1, alice2, bob, notAFace] = process.argv.slice(2) as [string, string, string, string,
  string, string];
const client = createClient({ baseUrl: url, auth: key });
const gallery = 'quickstart-ts';

async function photo(path: string): Promise<Blob> {
  return new Blob([await readFile(path)], { type: 'image/jpeg' });
}

for (const [subject, path] of [['alice', alice1], ['bob', bob]] as const) {
  const enrolled = await enroll({ client, body: { subject, gallery, images: [await photo(path)] } });
  assert.ok(enrolled.data, JSON.stringify(enrolled.error));
  assert.equal(enrolled.data.subject.face_count, 1);
  assert.deepEqual(enrolled.data.rejected, []);
}

for (const [subject, expected] of [['alice', true], ['bob', false]] as const) {
  const checked = await verify({ client, body: { image: await photo(alice2), subject, gallery } });
  assert.ok(checked.data, JSON.stringify(checked.error));
  const { score, match, threshold, estimated_fmr } = checked.data;
  console.log(`verify against ${subject}: score ${score.toFixed(3)}, match ${match} `
    + `(threshold ${threshold.toFixed(3)}, false-match rate ${estimated_fmr.toExponential(1)})`);
  assert.equal(match, expected);
}

const found = await identify({ client, body: { image: await photo(alice2), gallery } });
assert.ok(found.data, JSON.stringify(found.error));
const match = found.data.faces[0]?.match;
assert.ok(match, 'nobody matched');
assert.equal(match.subject, 'alice');
console.log(`identify: ${match.subject} (score ${match.score.toFixed(3)})`);

const listed = await listSubjects({ client, query: { gallery } });
assert.ok(listed.data, JSON.stringify(listed.error));
assert.deepEqual(listed.data.items.map((subject) => subject.subject), ['alice', 'bob']);

const refused = await verify({ client, body: { image: await photo(notAFace), subject: 'alice', gallery } });
assert.equal(refused.data, undefined);
assert.ok(refused.error);
assert.equal(refused.error.code, 'NO_FACE');
console.log(`a photo without a face: ${refused.error.status} ${refused.error.code}: ${refused.error.detail}`);

for (const subject of ['alice', 'bob']) {
  const receipt = await deleteSubject({ client, path: { subject }, query: { gallery } });
  assert.ok(receipt.data, JSON.stringify(receipt.error));
  assert.deepEqual(receipt.data.subjects, [subject]);
  assert.equal(receipt.data.face_ids.length, 1);
}
const gone = await listSubjects({ client, query: { gallery } });  // a gallery lives as long as its subjects
assert.equal(gone.error?.code, 'GALLERY_NOT_FOUND');
console.log('deleted: alice, bob');
