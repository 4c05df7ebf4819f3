using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AspireJobs.Worker.Handlers;

/// <summary>Adds job handlers to a worker: <c>services.AddJobHandler&lt;ResizeImage&gt;("images.resize")</c>.</summary>
public static class JobHandlerRegistration
{
    /// <summary>
    /// Runs jobs of <paramref name="type"/> with <typeparamref name="THandler"/>, which implements
    /// <see cref="IJobHandler{TPayload,TResult}"/> once. The handler is scoped: each job gets its
    /// own instance and scope, so it may depend on scoped services.
    /// </summary>
    public static IServiceCollection AddJobHandler<THandler>(this IServiceCollection services, string type) where THandler : class
    {
        if (!Core.Jobs.JobLimits.IsValidType(type))
        {
            throw new ArgumentException($"'{type}' is not a valid job type: 1-{Core.Jobs.JobLimits.TypeMaxLength} characters from A-Z, a-z, 0-9, '.', '_', ':' and '-'.", nameof(type));
        }

        var handlerInterfaces = typeof(THandler).GetInterfaces()
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IJobHandler<,>))
            .ToArray();
        if (handlerInterfaces.Length != 1)
        {
            throw new ArgumentException($"{typeof(THandler).Name} must implement IJobHandler<TPayload, TResult> exactly once.", nameof(THandler));
        }

        var arguments = handlerInterfaces[0].GetGenericArguments();
        var invokerType = typeof(JobHandlerInvoker<,,>).MakeGenericType(typeof(THandler), arguments[0], arguments[1]);
        services.TryAddScoped<THandler>();
        services.AddSingleton((JobHandlerInvoker)Activator.CreateInstance(invokerType, type)!);
        services.TryAddSingleton<JobHandlerRegistry>();
        return services;
    }
}
