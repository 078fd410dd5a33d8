import type { Policy } from './policy.js';

/**
 * The edX cookie policy's purposes ("Cookies and Tracking Technologies"). The policy names
 * analytics, performance and functionality in one breath; here they are separately switchable and
 * share the display group `usage`. `marketing` is refused by Global Privacy Control. A plain
 * object, checked by `definePolicy` in the test suite, so browser bundles need not ship the validator.
 */
export const edxPolicy: Policy = {
  id: 'edx',
  version: '2026-11',
  purposes: [
    {
      id: 'necessary',
      label: 'Strictly necessary',
      description:
        'System administration, security and integrity, so that the edX Site works properly for you. Always on.',
      required: true,
    },
    {
      id: 'analytics',
      label: 'Analytics',
      description:
        'How visitors find and use the edX Site: which pages, in what order and when, which links and controls are used, and whether emails from edX and Members are opened and their links clicked.',
      group: 'usage',
    },
    {
      id: 'performance',
      label: 'Performance',
      description: 'Monitoring how fast and reliably the edX Site works.',
      group: 'usage',
    },
    {
      id: 'functionality',
      label: 'Functionality',
      description: 'Recognizing whether you have visited the edX Site before and remembering your preferences.',
      group: 'usage',
    },
    {
      id: 'marketing',
      label: 'Marketing',
      description:
        'Content relevant to your interests on the edX Site and third-party sites, based on how you interact with edX or Member ads and content.',
      gpc: true,
    },
  ],
};
