// Where the shared fixtures live, relative to the repository root. Both runners read the same
// files: Node from disk, the browser over HTTP from the test server.
export const KNOWN_ANSWERS = "tests/vectors/known_answers.json";
export const KERAS_DIR = "tests/fixtures/keras/";
export const KERAS_MASKS = "tests/fixtures/keras_masks.json";

/** `read(path)` returns the text of a repository file. */
export async function loadData(read) {
  const knownAnswers = JSON.parse(await read(KNOWN_ANSWERS));
  const manifest = JSON.parse(await read(KERAS_DIR + "manifest.json"));
  const fixtures = {};
  for (const entry of manifest.cases) fixtures[entry.file] = await read(KERAS_DIR + entry.file);
  const kerasMasks = JSON.parse(await read(KERAS_MASKS));
  return { knownAnswers, manifest, fixtures, kerasMasks };
}
