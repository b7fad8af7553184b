/** The staff UI's words: trail. */
export const trail = {
  // The link to a file's trail
  trailOfFile: 'Audit trail of this {{noun}}',
  trailOfFileAfter: '(every event with its hash, and a check of the chain)',
  // The trail's page
  title: 'Audit trail — {{name}}',
  ofContract: 'contract {{name}}',
  ofContractFile: '{{file}} of contract {{name}}',
  backToContract: 'Back to the contract',
  back: 'Back',
  verify: 'Verify the hash chain',
  chainValid: 'The chain of {{events}} events verifies: no event was changed, removed or reordered.',
  chainBroken: 'The chain breaks at event {{at}}: {{reason}}',
  eventsLabel: 'Events',
  eventColumn: 'Event',
  occurredColumn: 'Occurred',
  byColumn: 'By',
  hashColumn: 'Hash',
  // Who sent an event
  byControllerSignIn: 'the controller: {{address}}, in its portal (signed in by {{method}}, {{at}})',
  emailedLink: 'an emailed link',
  byControllerLink: 'the controller, by the link emailed to it',
};
