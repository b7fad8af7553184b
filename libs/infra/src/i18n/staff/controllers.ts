/** The staff UI's words: controllers. */
export const controllers = {
  // The controllers' list
  title: 'Controllers',
  intro: 'Every controller the processor acts for, by its latest contract: its breach contact, and whether it confirmed it.',
  first500: 'The first 500 controllers by name',
  count: '{{number}} controllers',
  controller: 'Controller',
  breachContact: 'Breach contact',
  contactCheck: 'Contact check',
  itsEmail: 'its email',
  // A controller's page
  noneYet: 'None yet.',
  key: 'Key',
  email: 'Email',
  locale: 'Locale',
  timeZone: 'Time zone',
  byDefault: 'default',
  contracts: 'Contracts',
  preferences: 'Preferences',
};
