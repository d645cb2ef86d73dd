/**
 * Figures in plain words: false-match rates as "about 1 time in N comparisons", operating points, and problems
 * from the API as a sentence a person can act on, with the problem's `detail` and `code` kept in view.
 */

const NUMBER = new Intl.NumberFormat("en-US");
// The calibration measures false-match rates down to 1e-6 and clamps below it (VerifyResult.estimated_fmr).
const RAREST = 1e-6;

/** `n` to two significant figures, so 1 / 0.0000041 reads 240,000 rather than 243,902. */
function roughly(n) {
  const unit = 10 ** Math.max(0, Math.floor(Math.log10(n)) - 1);
  return Math.round(n / unit) * unit;
}

/** "1 in 10,000" for 1e-4. */
export function oneIn(rate) {
  if (!(rate > 0)) return "none";
  if (rate >= 1) return "all";
  return `1 in ${NUMBER.format(roughly(1 / rate))}`;
}

/**
 * How often someone else scores this high, from an `estimated_fmr`: "A different person scores this high about
 * 1 time in 250,000 comparisons."
 */
export function falseMatchRate(rate, who = "A different person") {
  if (!(rate > 0)) return `${who} practically never scores this high.`;
  if (rate <= RAREST * 1.0001) {
    return `${who} scores this high at most about 1 time in ${NUMBER.format(1 / RAREST)} comparisons `
      + "(the rarest rate the calibration measures).";
  }
  if (rate >= 0.95) return `${who} scores this high in almost every comparison.`;
  if (rate >= 0.1) return `${who} scores this high about ${Math.round(rate * 10)} times in 10 comparisons.`;
  return `${who} scores this high about 1 time in ${NUMBER.format(roughly(1 / rate))} comparisons.`;
}

/** An operating point's name (`fmr_1e-4`, `fpir_1e-2`) as a sentence; null: the request gave a threshold. */
export function operatingPoint(name) {
  if (!name) return "a threshold given with the request";
  const [kind, figure] = name.split("_");
  const rate = Number(figure);
  if (!(rate > 0)) return name;
  if (kind === "fmr") return `${name}: ${oneIn(rate)} comparisons of two different people match`;
  if (kind === "fpir") return `${name}: ${oneIn(rate)} searches by a stranger match someone in the gallery`;
  return name;
}

export function score(value) {
  return Number(value).toFixed(3);
}

/** What went wrong, for a person: a headline by HTTP status, then the server's own detail and code. */
export function problemHeadline(error) {
  if (error.status === 401) return "The server refused this API key.";
  if (error.status === 403) return "This API key may not do that.";
  if (error.status === 0) return error.title;
  if (error.status === 429) return "Too many requests with this key; wait a moment and try again.";
  if (error.status === 503) return "The server is busy; try again in a moment.";
  return error.title || "The request failed.";
}

/** One line per entry of a problem's `errors`: per-image reasons (enroll) or per-field ones (validation). */
export function problemErrorLines(errors) {
  return errors.map((entry) => {
    if (entry === null || typeof entry !== "object") return String(entry);
    if (Array.isArray(entry.loc)) return `${entry.loc.join(".")}: ${entry.msg ?? ""}`;
    const where = Number.isInteger(entry.image_index) ? `Photo ${entry.image_index + 1}: ` : "";
    const what = [entry.code, entry.detail ?? entry.msg].filter(Boolean).join(" - ");
    return where + (what || JSON.stringify(entry));
  });
}

/** A quality limit a face missed (`rejected[].failures[]`), e.g. "BLURRY: sharpness 12.3 (limit 50)". */
export function qualityFailure(failure) {
  const value = Number(failure.value).toFixed(1);
  const limit = Number(failure.limit).toFixed(1);
  return `${failure.code}: ${failure.figure} ${value} (limit ${limit})`;
}
