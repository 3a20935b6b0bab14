/** Thrown when a port is taken: one line that says which and how to change it. */
export class PortInUseError extends Error {
  constructor(
    readonly what: string,
    readonly port: number,
    readonly hint: string,
  ) {
    super(`${what} port ${port} is already in use; stop whatever uses it or ${hint}`);
    this.name = 'PortInUseError';
  }
}
