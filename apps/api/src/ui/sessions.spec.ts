import { describe, expect, it } from 'vitest';
import { cookieOf, uiCookies } from './sessions';

describe("the UI's cookies", () => {
  it('over HTTPS take the __Host- prefix, with what the prefix demands: Secure, Path=/, no Domain', () => {
    const cookies = uiCookies('https://dpa.example');
    expect([cookies.session, cookies.login]).toEqual(['__Host-dpa_session', '__Host-dpa_login']);
    const set = cookies.write(cookies.session, 'tok/en', '');
    expect(set).toMatch(/^__Host-dpa_session=tok%2Fen; /);
    expect(set.split('; ')).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Lax', 'Path=/', 'Secure']));
    expect(set).not.toMatch(/Domain=/i);
    // The session is read back under the same name, and not under the plain one.
    const req = { headers: { cookie: 'dpa_session=forged; __Host-dpa_session=real' } };
    expect(cookieOf(req, cookies.session)).toBe('real');
  });

  it('over plain HTTP (development) keep their plain names and are not Secure', () => {
    const cookies = uiCookies('http://127.0.0.1:3000');
    expect([cookies.session, cookies.login]).toEqual(['dpa_session', 'dpa_login']);
    expect(cookies.write(cookies.login, 'x', 'Max-Age=600')).toBe('dpa_login=x; HttpOnly; SameSite=Lax; Path=/; Max-Age=600');
  });
});
