/** The staff UI's words: layout. */
export const layout = {
  // Every page's frame: the window's title, the skip link, the navigation, the sign-out form.
  pageTitle: '{{title}} — DPA engine',
  brand: 'DPA engine',
  skipToContent: 'Skip to content',
  mainNav: 'Main',
  dashboard: 'Dashboard',
  contracts: 'Contracts',
  order: 'Order',
  inbox: 'Inbox',
  overdueBadge: '{{n}} overdue',
  incidents: 'Incidents',
  registers: 'Registers',
  subProcessors: 'Sub-processors',
  integrations: 'Integrations',
  signedInAs: 'Signed in as {{role}}',
  signOut: 'Sign out',
  // The countdown beside a date.
  inDays: 'in {{n}} days',
  inHours: 'in {{n}} hours',
  inMinutes: 'in {{n}} minutes',
  daysAgo: '{{n}} days ago',
  hoursAgo: '{{n}} hours ago',
  minutesAgo: '{{n}} minutes ago',
  // The 404 and error pages.
  notFound: 'Not found',
  noSuchPage: 'No such page.',
  notAllowed: 'Not allowed',
  somethingWentWrong: 'Something went wrong',
  engineUnavailable: 'The engine could not answer now; try again in a moment.',
};
