/** The staff UI's words: roster. */
export const roster = {
  // The roster's page
  title: 'Roster of authorised persons',
  intro: "Who may touch clients' data (P3, P4): each person needs a signed confidentiality undertaking and a valid data-protection training before being authorised on a contract.",
  empty: 'Nobody is on the roster yet.',
  peopleOnPage: '{{number}} people on this page',
  person: 'Person',
  clearance: 'Clearance',
  undertaking: 'Undertaking',
  trainingValidUntil: 'Training valid until',
  contracts: 'Contracts',
  cleared: 'cleared',
  lapsed: 'lapsed',
  andMore: 'and {{number}} more',
  nextPage: 'Next page',
  // A person's page
  email: 'Email',
  onRosterSince: 'On the roster since',
  confidentialityUndertaking: 'Confidentiality undertaking',
  trainings: 'Trainings',
  noTraining: 'No training recorded.',
  training: '{{course}}: {{completedAt}}, valid until {{validUntil}}',
  actions: 'Actions',
};
