import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../dev/project-root';

/**
 * The published verifier (bin/dpa-verify.mjs, the package's `dpa-verify` command): the API serves
 * these bytes at /.well-known/dpa-verify.mjs with their sha256, and packs carry a copy for
 * convenience only. Read once, from the repository or the image, never from a pack.
 */
export interface PublishedVerifier {
  readonly bytes: Buffer;
  readonly sha256: string;
}

let published: PublishedVerifier | undefined;

export function publishedVerifier(): PublishedVerifier {
  if (!published) {
    const bytes = fs.readFileSync(path.join(projectRoot(), 'bin', 'dpa-verify.mjs'));
    published = { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
  }
  return published;
}
