/**
 * The engine's words in English: the emails a controller receives, its portal and its certificate.
 * `fr.ts` has the same keys (the compiler checks it). Variables are written {{name}}; text the DPO
 * or the controller wrote is passed in as it was written, never translated.
 */
export const en = {
  when: {
    /** An instant in the controller's time zone, the UTC instant beside it. */
    zoned: '{{local}} {{zone}} ({{utc}})',
  },
  mail: {
    dear: 'Dear {{name}},',
    hello: 'Hello,',
    asWritten: 'The free text in this email (what happened, its nature, the measures) is as our data protection officer wrote it.',
    contract: 'contract {{name}}',
    article33: {
      summary: 'What happened',
      nature: 'Nature of the breach',
      dataCategories: 'Categories of personal data concerned',
      subjectCategories: 'Categories of data subjects concerned',
      approxSubjects: 'Approximate number of data subjects concerned',
      approxRecords: 'Approximate number of personal data records concerned',
      likelyConsequences: 'Likely consequences',
      measures: 'Measures taken or proposed, including to mitigate possible adverse effects',
      toFollow: 'to follow',
    },
    certificate: {
      subject: 'Certificate of destruction of your personal data — contract {{name}}',
      body: 'All personal data processed under contract {{name}} has been destroyed (clause 11: within two months of the end of the contract, {{deadline}}).\n\nContract ended: {{endedAt}}\nDestruction completed: {{completedAt}}\n\n{{lines}}\n\nCertificate {{certificateId}} is attached. Nothing is expected of you; keep it with your records.',
      line: '- {{location}}: destroyed {{destroyedAt}}; {{objects}} objects, {{bytes}} bytes, manifest {{manifest}} ({{method}})',
    },
    subjectRequestForwarded: {
      subject: 'Data-subject request received for you — {{type}}, ref. {{reference}} (contract {{name}})',
      body: 'A data subject sent us, your processor, a request of type "{{type}}" on {{receivedAt}} (our reference {{reference}}).\nWe pass it to you as your processor must (GDPR 28(3)(e)); we will not answer the person ourselves.\n\nYour deadline to answer the person: {{deadline}} (GDPR 12(3): one month from receipt, extendable once by up to two months).\nWe will give you the help you need by {{assistanceDue}}. Reply to this email, quoting the reference, to tell us what you need.',
    },
    breach: {
      subject: 'Personal data breach notification (GDPR 33(2)) — contract {{name}}',
      supplementSubject: 'Personal data breach — supplement {{number}} to our notice {{noticeId}} (contract {{name}})',
      opening: 'As your processor under contract {{name}}, we notify you without undue delay of a personal data breach affecting personal data we process for you (GDPR 33(2)). We became aware of it on {{awareAt}}.\n\n',
      supplementOpening: 'This supplements our notice {{noticeId}} of a personal data breach affecting data we process for you under contract {{name}} (GDPR 33(4)). What is new:\n\n{{changes}}\n\nThe notice as it now stands:\n\n',
      contact: '- Contact point for more information: our data protection officer, {{dpo}}',
      closing:
        'Parts marked "to follow" are not known yet; we will send each as a supplement as soon as it is (GDPR 33(4)).\n\nWhat we expect of you: assess the breach and, unless it is unlikely to result in a risk to people, notify your supervisory authority within 72 hours of receiving this notice (GDPR 33(1)). Please acknowledge receipt by replying to this email, quoting notice {{noticeId}}.',
    },
    instructionObjection: {
      subject: 'We cannot carry out your instruction {{documentRef}} as it stands — contract {{name}}',
      body: 'You instructed us on {{receivedAt}}, under contract {{name}} (your document {{documentRef}}):\n\n{{summary}}\n\nAs your processor we consider that this instruction infringes the GDPR or other Union or Member State data protection provisions (GDPR 28(3), clause P2), because:\n\n{{reason}}\n\nWe will not carry it out until you answer. What we expect of you: confirm the instruction (with the legal basis we may be missing) or withdraw it, by replying to this email quoting {{documentRef}}.',
    },
    transfer: {
      subject: 'A transfer of your data to {{destination}} required by law — contract {{name}}',
      body: 'As your processor under contract {{name}}, we are required by law to transfer personal data we process for you to {{destination}}, on {{plannedAt}}.\nThe legal obligation: {{obligation}}\n\nWe tell you before the transfer, as GDPR 28(3)(a) and clause P2 require. Nothing is expected of you, but reply to this email before {{plannedAt}} if you have questions or objections we should know of.',
    },
    contactCheck: {
      subject: 'Please confirm your contact for data breaches — {{name}}',
      body: "This address is the point of contact we, your hosting provider and processor, would write to if a personal data breach affected {{name}}'s data (GDPR 33(2); EDPB Guidelines 9/2022).\nPlease confirm that it still reaches the right people by following this link and pressing its button (opening it alone changes nothing):\n\n{{url}}\n\nThe link can be used once, for a limited time; please follow it by {{due}}. If this address should no longer be the contact, reply to tell us which one to use instead.",
    },
    dpo: {
      changedSubject: 'Our data protection officer has changed',
      subject: 'Our data protection officer — contract {{name}}',
      changed: 'As your processor, we let you know that our data protection officer has changed. For every contract you have with us, our data protection officer is now:\n\n{{dpo}}\n\n',
      communicated: 'Processing under contract {{name}} has started. As your processor, we communicate the contact of our data protection officer (GDPR 37(7), clause P12):\n\n{{dpo}}\n\n',
      closing: 'Nothing is expected of you; keep this contact with your records. We will write again if it changes.',
    },
    subProcessorChange: {
      subject: 'A change of sub-processor for your data, effective {{effectiveAt}} — contract {{name}}',
      addition: 'to engage a further sub-processor',
      replacement: 'to replace one of our sub-processors',
      body: 'As your processor under contract {{name}}, we intend {{what}} (GDPR 28(2), 28(4)):\n\n- Sub-processor: {{subProcessor}}, {{country}} — {{role}}\n- Location: {{where}}\n{{replaces}}- Takes effect: {{effectiveAt}}\n\nYou may object until {{objectionDeadline}}: reply to this email quoting change {{changeId}}. Without an objection, the change takes effect on {{effectiveAt}}; with one, your data stays where it is and your account manager will contact you.',
      replaces: '- Instead of: {{location}} (the data held there stays until destruction covers it)\n',
    },
  },
};

/** The shape every locale's catalogue has: the same keys, each a text. */
export type Catalogue = Shape<typeof en>;
type Shape<T> = { readonly [K in keyof T]: T[K] extends string ? string : Shape<T[K]> };
