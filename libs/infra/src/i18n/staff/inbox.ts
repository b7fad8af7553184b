/** The staff UI's words: inbox. */
export const inbox = {
  title: 'Inbox',
  // The filters.
  filterLabel: 'Filter the inbox',
  whatIsDue: 'What is due',
  anything: 'Anything',
  controller: 'Controller',
  overdueOnly: 'Overdue only',
  filter: 'Filter',
  // The worklist's caption and headers.
  nothingDue: 'Nothing is due.',
  nothingMoreDue: 'Nothing more is due.',
  summary: "{{overdue}} of ours overdue, {{ours}} of our clocks and {{theirs}} of the controllers' own deadlines open",
  summaryOnPage: "Page {{page}}: {{overdue}} of ours overdue, {{ours}} of our clocks and {{theirs}} of the controllers' own deadlines open",
  due: 'Due',
  whoseDeadline: 'Whose deadline',
  contract: 'Contract',
  file: 'File',
  // A row.
  theEarliest: '(the earliest)',
  overdue: 'overdue',
  theirs: "the controller's",
  ours: 'ours',
  controllers: '{{n}} controllers',
  processorWide: 'processor-wide',
  contractShort: 'contract {{id}}',
  filesOfIncident: '{{n}} {{noun}}s of incident {{incident}}',
  overdueCount: '{{n}} overdue',
  theContract: 'the contract',
  fileOfIncident: '{{noun}} (incident {{incident}})',
  // The pager.
  pages: 'Pages of the inbox',
  previousPage: 'Previous page',
  nextPage: 'Next page',
};
