// The message both benchmarks send or store: a link click on a HarvardX course page, from a Google
// search with a campaign, with consent to everything but marketing.

/** A Segment `track` message with the given id (its `timestamp` is now; callers may replace it). */
export const benchMessage = (id) => ({
  type: 'track',
  event: 'edx.ui.lms.link_clicked',
  messageId: id,
  anonymousId: 'f8c2a7e0-bench',
  timestamp: new Date().toISOString(),
  properties: { current_url: 'https://learning.edx.org/course/x', target_url: 'https://www.edx.org/' },
  context: {
    consent: {
      policy: 'edx',
      categoryPreferences: { analytics: true, performance: true, functionality: true, marketing: false },
    },
    course: { id: 'course-v1:HarvardX+CS50+2026_T1' },
    page: {
      path: '/learning/course/x',
      url: 'https://learning.edx.org/learning/course/x?utm_source=news',
      referrer: 'https://www.google.com/',
    },
    session: { id: 's-1', seq: 1 },
  },
});
