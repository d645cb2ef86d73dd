/**
 * facegate from TypeScript, through the generated client: the README's example, run by CI.
 *
 *     node dist/examples/quickstart.js URL KEY ALICE_1.jpg ALICE_2.jpg NOT_A_FACE.jpg
 *
 * Enrolls Alice from one photo, verifies her second photo against her, identifies it, lists the gallery, shows
 * the typed error a photo without a face gets, and deletes her. Every step checks what it got back.
 */
import { strict as assert } from 'node:assert';
import { readFile } from 'node:fs/promises';

import { createClient, deleteSubject, enroll, identify, listSubjects, verify } from '../src/index.js';

const [url, key, alice1, alice2, notAFace] = process.argv.slice(2) as [string, string, string, string, string];
const client = createClient({ baseUrl: url, auth: key });
const gallery = 'quickstart-ts';

async function photo(path: string): Promise<Blob> {
  return new Blob([await readFile(path)], { type: 'image/jpeg' });
}

const enrolled = await enroll({ client, body: { subject: 'alice', gallery, images: [await photo(alice1)] } });
assert.ok(enrolled.data, JSON.stringify(enrolled.error));
assert.equal(enrolled.data.subject.face_count, 1);
assert.deepEqual(enrolled.data.rejected, []);

const checked = await verify({ client, body: { image: await photo(alice2), subject: 'alice', gallery } });
assert.ok(checked.data, JSON.stringify(checked.error));
console.log(`verify: score ${checked.data.score.toFixed(3)}, match ${checked.data.match} (threshold ${checked.data.threshold.toFixed(3)})`);
assert.equal(checked.data.match, true);

const found = await identify({ client, body: { image: await photo(alice2), gallery } });
assert.ok(found.data, JSON.stringify(found.error));
const match = found.data.faces[0]?.match;
assert.ok(match, 'nobody matched');
assert.equal(match.subject, 'alice');
console.log(`identify: ${match.subject} (score ${match.score.toFixed(3)})`);

const listed = await listSubjects({ client, query: { gallery } });
assert.ok(listed.data, JSON.stringify(listed.error));
assert.deepEqual(listed.data.items.map((subject) => subject.subject), ['alice']);

const refused = await verify({ client, body: { image: await photo(notAFace), subject: 'alice', gallery } });
assert.equal(refused.data, undefined);
assert.ok(refused.error);
assert.equal(refused.error.code, 'NO_FACE');
console.log(`a photo without a face: ${refused.error.status} ${refused.error.code}: ${refused.error.detail}`);

const receipt = await deleteSubject({ client, path: { subject: 'alice' }, query: { gallery } });
assert.ok(receipt.data, JSON.stringify(receipt.error));
assert.deepEqual(receipt.data.subjects, ['alice']);
assert.equal(receipt.data.face_ids.length, 1);
console.log(`deleted: ${receipt.data.subjects.join(', ')}`);
