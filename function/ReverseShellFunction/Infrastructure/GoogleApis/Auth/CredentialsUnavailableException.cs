namespace ReverseShellFunction.Infrastructure.GoogleApis.Auth;

/// <summary>
/// A credential source exists but gave no token now (the metadata server not answering, a token request that
/// failed): transient, like a 503. Callers retry it with backoff and leave what they could not do to a later part;
/// it is never remembered as "no credentials".
/// </summary>
public sealed class CredentialsUnavailableException(string message, Exception? innerException = null) : Exception(message, innerException);
