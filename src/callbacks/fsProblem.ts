// File-system failures in plain words, e.g. "cannot create folder /x: read-only file system".

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a file is in the way where a folder is expected',
  EISDIR: 'it is a folder, not a file',
  ENOENT: 'it does not exist',
  EEXIST: 'it already exists',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  EBUSY: 'it is in use by another program',
  EIO: 'input/output error',
  ENAMETOOLONG: 'the path is too long',
};

export function errorCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Why a file operation failed, without Node's "ENOENT: ..., mkdir '...'" wording. */
export function reasonOf(error: unknown): string {
  const code = errorCode(error);
  if (code && REASONS[code]) return REASONS[code];
  return code ?? (error instanceof Error ? error.message : String(error));
}

/** Thrown by the store's file steps; its message says what was attempted, on which path, and why it failed. */
export class FileStepError extends Error {
  constructor(
    step: string,
    path: string,
    readonly cause: unknown,
  ) {
    super(`cannot ${step} ${path}: ${reasonOf(cause)}`);
    this.name = 'FileStepError';
  }
}

/** Runs one file operation, turning its failure into a FileStepError. */
export async function fileStep<T>(step: string, path: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new FileStepError(step, path, error);
  }
}
