namespace AspireJobs.ServiceDefaults;

/// <summary>
/// Configuration that stops a service at start. The message is one line that names the key and
/// says what is wrong with it; <see cref="StartupFailure"/> prints it without a stack trace.
/// </summary>
public sealed class ConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
