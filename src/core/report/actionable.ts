/** An error whose message is ready for the user: the adapters print it as it is. */
export class ActionableError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    readonly hint?: string,
  ) {
    super(hint ? `${message}\nWhat to do: ${hint}` : message);
    this.name = 'ActionableError';
  }
}
