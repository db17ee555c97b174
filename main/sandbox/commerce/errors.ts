/**
 * The Finance and Operations OData error body: `error.code` (often empty), `error.message`, and a lower-case
 * `innererror` with `message`, `type` and `stacktrace` (real clients show `innererror.message`, the Infolog).
 */
export class FoError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly inner: { message: string; type: string } | null,
    readonly code = '',
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): unknown {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.inner ? { innererror: { message: this.inner.message, type: this.inner.type, stacktrace: '' } } : {}),
      },
    };
  }

  static badRequest(detail: string): FoError {
    return new FoError(400, 'An error has occurred.', { message: detail, type: 'Microsoft.OData.ODataException' });
  }

  static notFound(detail: string): FoError {
    return new FoError(404, 'No HTTP resource was found that matches the request URI.', { message: detail, type: 'Microsoft.Dynamics.Platform.Integration.Services.OData.ODataResourceNotFoundException' });
  }

  static writeFailed(entity: string, detail: string, status = 500): FoError {
    return new FoError(status, 'An error has occurred.', {
      message: `Write failed for table row of type '${entity}'. Infolog: ${detail}`,
      type: 'Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException',
    });
  }

  /** 401 with the reason in the body and in WWW-Authenticate (so a connection pre-flight can show it). */
  static unauthorized(reason: string): FoError {
    return new FoError(401, 'Authorization has been denied for this request.', { message: reason, type: 'Microsoft.Dynamics.Platform.Integration.Services.OData.AuthenticationException' }, '', {
      'WWW-Authenticate': `Bearer error="invalid_token", error_description="${reason.replace(/["\\]/g, "'")}"`,
    });
  }
}
