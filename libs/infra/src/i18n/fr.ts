import { type Catalogue } from './en';

/** Les mots du moteur en français : les mêmes clés que `en.ts`, le compilateur y veille. */
export const fr: Catalogue = {
  when: {
    zoned: '{{local}} {{zone}} ({{utc}})',
  },
  mail: {
    dear: 'Madame, Monsieur ({{name}}),',
    hello: 'Bonjour,',
    asWritten: "Le texte libre de ce message (ce qui s'est passé, sa nature, les mesures) est reproduit tel que notre délégué à la protection des données l'a rédigé, sans traduction.",
    contract: 'contrat {{name}}',
    article33: {
      summary: "Ce qui s'est passé",
      nature: 'Nature de la violation',
      dataCategories: 'Catégories de données à caractère personnel concernées',
      subjectCategories: 'Catégories de personnes concernées',
      approxSubjects: 'Nombre approximatif de personnes concernées',
      approxRecords: "Nombre approximatif d'enregistrements de données concernés",
      likelyConsequences: 'Conséquences probables',
      measures: 'Mesures prises ou envisagées, y compris pour en atténuer les éventuelles conséquences négatives',
      toFollow: 'à venir',
    },
    certificate: {
      subject: 'Certificat de destruction de vos données à caractère personnel — contrat {{name}}',
      body: "Toutes les données à caractère personnel traitées au titre du contrat {{name}} ont été détruites (clause 11 : dans les deux mois suivant la fin du contrat, {{deadline}}).\n\nFin du contrat : {{endedAt}}\nDestruction achevée : {{completedAt}}\n\n{{lines}}\n\nLe certificat {{certificateId}} est joint. Vous n'avez rien à faire ; conservez-le avec vos dossiers.",
      line: '- {{location}} : détruit le {{destroyedAt}} ; {{objects}} objets, {{bytes}} octets, manifeste {{manifest}} ({{method}})',
    },
    subjectRequestForwarded: {
      subject: 'Demande de personne concernée reçue pour vous — {{type}}, réf. {{reference}} (contrat {{name}})',
      body: "Une personne concernée nous a adressé, à nous votre sous-traitant, une demande de type « {{type}} » le {{receivedAt}} (notre référence {{reference}}).\nNous vous la transmettons comme le doit votre sous-traitant (RGPD 28(3)(e)) ; nous ne répondrons pas nous-mêmes à la personne.\n\nVotre délai pour répondre à la personne : {{deadline}} (RGPD 12(3) : un mois à compter de la réception, prolongeable une fois de deux mois au plus).\nNous vous apporterons l'aide nécessaire au plus tard le {{assistanceDue}}. Répondez à ce message, en rappelant la référence, pour nous dire ce dont vous avez besoin.",
    },
    breach: {
      subject: 'Notification de violation de données à caractère personnel (RGPD 33(2)) — contrat {{name}}',
      supplementSubject: 'Violation de données à caractère personnel — complément {{number}} à notre notification {{noticeId}} (contrat {{name}})',
      opening: "En qualité de sous-traitant au titre du contrat {{name}}, nous vous notifions dans les meilleurs délais une violation de données à caractère personnel touchant des données que nous traitons pour vous (RGPD 33(2)). Nous en avons pris connaissance le {{awareAt}}.\n\n",
      supplementOpening: 'Ce message complète notre notification {{noticeId}} d’une violation de données à caractère personnel touchant des données que nous traitons pour vous au titre du contrat {{name}} (RGPD 33(4)). Ce qui est nouveau :\n\n{{changes}}\n\nLa notification telle qu’elle se présente désormais :\n\n',
      contact: '- Point de contact pour plus d’informations : notre délégué à la protection des données, {{dpo}}',
      closing:
        'Les éléments marqués « à venir » ne sont pas encore connus ; nous vous adresserons chacun en complément dès qu’il le sera (RGPD 33(4)).\n\nCe que nous attendons de vous : évaluer la violation et, sauf si elle est peu susceptible d’engendrer un risque pour les personnes, la notifier à votre autorité de contrôle dans les 72 heures suivant la réception de cette notification (RGPD 33(1)). Merci d’en accuser réception en répondant à ce message, en rappelant la notification {{noticeId}}.',
    },
    instructionObjection: {
      subject: 'Nous ne pouvons pas exécuter votre instruction {{documentRef}} en l’état — contrat {{name}}',
      body: 'Vous nous avez donné le {{receivedAt}}, au titre du contrat {{name}} (votre document {{documentRef}}), l’instruction suivante :\n\n{{summary}}\n\nEn qualité de sous-traitant, nous considérons que cette instruction constitue une violation du RGPD ou d’autres dispositions du droit de l’Union ou du droit des États membres relatives à la protection des données (RGPD 28(3), clause P2), pour la raison suivante :\n\n{{reason}}\n\nNous ne l’exécuterons pas avant votre réponse. Ce que nous attendons de vous : confirmer l’instruction (avec la base juridique qui nous manquerait) ou la retirer, en répondant à ce message et en rappelant {{documentRef}}.',
    },
    transfer: {
      subject: 'Un transfert de vos données vers {{destination}} exigé par la loi — contrat {{name}}',
      body: 'En qualité de sous-traitant au titre du contrat {{name}}, la loi nous oblige à transférer des données à caractère personnel que nous traitons pour vous vers {{destination}}, le {{plannedAt}}.\nL’obligation légale : {{obligation}}\n\nNous vous en informons avant le transfert, comme l’exigent le RGPD 28(3)(a) et la clause P2. Vous n’avez rien à faire, mais répondez à ce message avant le {{plannedAt}} si vous avez des questions ou des objections dont nous devrions avoir connaissance.',
    },
    contactCheck: {
      subject: 'Merci de confirmer votre contact pour les violations de données — {{name}}',
      body: 'Cette adresse est le point de contact auquel nous, votre hébergeur et sous-traitant, écririons si une violation de données à caractère personnel touchait les données de {{name}} (RGPD 33(2) ; lignes directrices 9/2022 du CEPD).\nMerci de confirmer qu’elle joint toujours les bonnes personnes en suivant ce lien et en appuyant sur son bouton (l’ouvrir seul ne change rien) :\n\n{{url}}\n\nLe lien ne sert qu’une fois, pour une durée limitée ; merci de le suivre au plus tard le {{due}}. Si cette adresse ne doit plus être le contact, répondez-nous pour nous indiquer laquelle utiliser.',
    },
    dpo: {
      changedSubject: 'Notre délégué à la protection des données a changé',
      subject: 'Notre délégué à la protection des données — contrat {{name}}',
      changed: 'En qualité de sous-traitant, nous vous informons que notre délégué à la protection des données a changé. Pour chacun de vos contrats avec nous, notre délégué à la protection des données est désormais :\n\n{{dpo}}\n\n',
      communicated: 'Le traitement au titre du contrat {{name}} a commencé. En qualité de sous-traitant, nous vous communiquons les coordonnées de notre délégué à la protection des données (RGPD 37(7), clause P12) :\n\n{{dpo}}\n\n',
      closing: 'Vous n’avez rien à faire ; conservez ces coordonnées avec vos dossiers. Nous vous écrirons de nouveau si elles changent.',
    },
    subProcessorChange: {
      subject: 'Un changement de sous-traitant ultérieur pour vos données, effectif le {{effectiveAt}} — contrat {{name}}',
      addition: 'recruter un sous-traitant ultérieur supplémentaire',
      replacement: 'remplacer l’un de nos sous-traitants ultérieurs',
      body: 'En qualité de sous-traitant au titre du contrat {{name}}, nous envisageons de {{what}} (RGPD 28(2), 28(4)) :\n\n- Sous-traitant ultérieur : {{subProcessor}}, {{country}} — {{role}}\n- Lieu : {{where}}\n{{replaces}}- Prise d’effet : {{effectiveAt}}\n\nVous pouvez formuler une objection jusqu’au {{objectionDeadline}} : répondez à ce message en rappelant le changement {{changeId}}. Sans objection, le changement prend effet le {{effectiveAt}} ; avec une objection, vos données restent où elles sont et votre chargé de compte vous contactera.',
      replaces: '- En remplacement de : {{location}} (les données qui s’y trouvent y restent jusqu’à leur destruction)\n',
    },
  },
};
