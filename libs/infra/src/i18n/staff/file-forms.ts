/** The staff UI's words: fileForms. */
export const fileForms = {
  // A command's form (schema-forms.ts: the words beside a field's label)
  optional: '(optional)',
  utc: '(UTC)',
  yes: 'yes',
  no: 'no',
  irreversible: 'This cannot be undone',
  record: 'Record',
  // A file's page
  backToContract: 'Back to the contract',
  actions: 'Actions',
  trailOfFile: 'Audit trail of this {{noun}}',
  trailOfFileAfter: '(every event with its hash, and a check of the chain)',
  // Its clocks
  clocks: 'Clocks',
  noClock: 'No clock is running.',
  whatIsDue: 'What is due',
  due: 'Due',
  clockState: 'State',
  overdue: 'overdue',
  running: 'running',
  // Its emails
  emails: 'Emails',
  noEmail: 'No email recorded yet.',
  emailColumn: 'Email',
  toColumn: 'To',
  sentColumn: 'Sent',
  messageIdColumn: 'Message-ID',
  refused: 'refused, {{at}}',
  refusedWithCode: 'refused ({{code}}), {{at}}',
};
