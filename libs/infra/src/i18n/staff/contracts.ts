/** The staff UI's words: contracts. */
export const contracts = {
  // The list.
  title: 'Contracts',
  reference: 'Reference',
  referencePlaceholder: 'starts with',
  controller: 'Controller',
  controllerPlaceholder: 'name or email',
  status: 'Status',
  anyStatus: 'any',
  filter: 'Filter',
  noMatch: 'No contract matches.',
  onThisPage: '{{n}} contract(s) on this page',
  contract: 'Contract',
  termEnds: 'Term ends',
  destructionDeadline: 'Destruction deadline',
  nextPage: 'Next page',
  // The order form.
  orderTitle: 'Order a contract',
  controllerName: 'Controller name',
  controllerEmail: 'Controller email',
  referenceOptional: 'Reference (optional)',
  billingPeriod: 'Billing period',
  order: 'Order',
  notAllowed: 'Not allowed',
  onlyAccountManagers: 'Only account managers order contracts.',
  // A command refused where the contract's page cannot be shown.
  refused: 'Refused',
};
