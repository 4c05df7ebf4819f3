using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AspireJobs.Worker.Handlers;

/// <summary>
/// Adds job handlers to a worker:
/// <c>services.AddJobHandler&lt;ResizeImageHandler, ResizeImage, string&gt;("images.resize")</c>.
/// </summary>
public static class JobHandlerRegistration
{
    /// <summary>
    /// Runs jobs of <paramref name="type"/> with <typeparamref name="THandler"/>. The handler is
    /// scoped: each job gets its own instance and scope, so it may depend on scoped services.
    /// <typeparamref name="TPayload"/> and <typeparamref name="TResult"/> must be known to
    /// <see cref="JobJsonOptions"/>; a type it cannot read or write stops the worker at start.
    /// </summary>
    public static IServiceCollection AddJobHandler<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler, TPayload, TResult>(
        this IServiceCollection services, string type)
        where THandler : class, IJobHandler<TPayload, TResult>
    {
        ThrowIfInvalid(type);
        services.TryAddScoped<THandler>();
        services.AddOptions<JobJsonOptions>();
        services.AddSingleton<JobHandlerInvoker>(provider =>
            new JobHandlerInvoker<THandler, TPayload, TResult>(type, provider.GetRequiredService<IOptions<JobJsonOptions>>().Value.SerializerOptions));
        services.TryAddSingleton<JobHandlerRegistry>();
        return services;
    }

    /// <summary>
    /// The same, with the payload and result types read off <typeparamref name="THandler"/>'s
    /// <see cref="IJobHandler{TPayload,TResult}"/>, which it implements once. Needs the JIT: a
    /// worker compiled natively registers with the three type arguments. Payloads and results are
    /// read and written by reflection where no JSON context knows them.
    /// </summary>
    [RequiresDynamicCode("Builds the registration for the handler's payload and result types at run time.")]
    [RequiresUnreferencedCode("Reads the handler's interfaces by reflection.")]
    public static IServiceCollection AddJobHandler<THandler>(this IServiceCollection services, string type) where THandler : class
    {
        ThrowIfInvalid(type);
        var handlerInterfaces = typeof(THandler).GetInterfaces()
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IJobHandler<,>))
            .ToArray();
        if (handlerInterfaces.Length != 1)
        {
            throw new ArgumentException($"{typeof(THandler).Name} must implement IJobHandler<TPayload, TResult> exactly once.", nameof(THandler));
        }

        services.Configure<JobJsonOptions>(json =>
        {
            if (!json.SerializerOptions.TypeInfoResolverChain.OfType<DefaultJsonTypeInfoResolver>().Any())
            {
                json.SerializerOptions.TypeInfoResolverChain.Add(new DefaultJsonTypeInfoResolver());
            }
        });
        var arguments = handlerInterfaces[0].GetGenericArguments();
        var typed = typeof(JobHandlerRegistration).GetMethods()
            .Single(m => m.Name == nameof(AddJobHandler) && m.GetGenericArguments().Length == 3)
            .MakeGenericMethod(typeof(THandler), arguments[0], arguments[1]);
        return (IServiceCollection)typed.Invoke(null, BindingFlags.DoNotWrapExceptions, null, [services, type], null)!;
    }

    private static void ThrowIfInvalid(string type)
    {
        if (!Core.Jobs.JobLimits.IsValidType(type))
        {
            throw new ArgumentException($"'{type}' is not a valid job type: 1-{Core.Jobs.JobLimits.TypeMaxLength} characters from A-Z, a-z, 0-9, '.', '_', ':' and '-'.", nameof(type));
        }
    }
}
