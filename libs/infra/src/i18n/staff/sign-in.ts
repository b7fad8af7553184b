/** The staff UI's words: signIn. */
export const signIn = {
  // Signing in
  notConfiguredTitle: 'Sign-in is not configured',
  notConfigured: "Set OIDC_ISSUER (and OIDC_CLIENT_ID, OIDC_CLIENT_SECRET) to sign in with your organisation's OpenID provider.",
  expiredTitle: 'Sign-in expired',
  expired: 'This sign-in is unknown or expired.',
  failedTitle: 'Sign-in failed',
  notCompleted: 'The sign-in did not complete ({{error}}).',
  answerUnusable: "The provider's answer could not be used.",
  tryAgain: 'Try again',
  refusedTitle: 'Refused',
  devUsersRefused: "The development provider's users are refused in production.",
  noRoleTitle: 'No role',
  noRole: 'Your account has no role in the engine (claim {{claim}}).',
  // The gate
  signedOutTitle: 'Signed out',
  sessionEnded: 'Your session ended.',
  notSent: '; what you typed was not sent.',
  badCsrf: 'This form has no valid security token (CSRF). Reload the page and try again.',
  noPagesTitle: 'No pages for this role',
  noPages: 'The role {{role}} works through the API; it has no pages.',
  // Signing out
  signOut: 'Sign out',
  signedOut: 'You are signed out.',
  signInAgain: 'Sign in again',
};
