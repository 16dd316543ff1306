/**
 * Which experiences a webhook is about, for endpoints that subscribe to some experiences only.
 */

/** Ids of the experiences (tour, survey, embed, demo, alert experiences) a payload names. */
export function experienceIdsOf(data: Record<string, unknown>): string[] {
  const ids: string[] = [];
  for (const key of ['tour', 'survey', 'embed', 'demo']) {
    const model = data[key] as { id?: unknown } | undefined;
    if (model && typeof model.id === 'string') ids.push(model.id);
  }
  const response = data.response as { survey_id?: unknown } | undefined;
  if (response && typeof response.survey_id === 'string') ids.push(response.survey_id);
  if (Array.isArray(data.experiences)) {
    for (const e of data.experiences as Array<{ id?: unknown }>) if (e && typeof e.id === 'string') ids.push(e.id);
  }
  return ids;
}

/**
 * Whether an endpoint with this `experience_ids` filter receives a payload: an empty filter
 * receives everything; otherwise the payload must name one of the experiences, and payloads
 * about no experience at all (ping, helpbar) still go through. Ids are hex: compared without
 * regard to case (filters are stored lowercase; payloads may use either case).
 *
 * @example
 * matchesExperienceFilter([], { tour: { id: 'a' } })      // true
 * matchesExperienceFilter(['a'], { tour: { id: 'b' } })   // false
 * matchesExperienceFilter(['a'], { account: { id: 'x' } }) // true: not about an experience
 */
export function matchesExperienceFilter(filter: readonly string[], data: Record<string, unknown>): boolean {
  if (filter.length === 0) return true;
  const ids = experienceIdsOf(data);
  return ids.length === 0 || ids.some((id) => filter.includes(id.toLowerCase()));
}
