using AspireJobs.Core.Dispatch;

namespace AspireJobs.Tests.Core.Dispatch;

public sealed class JobLeaseTests
{
    [Fact]
    public void ALease_IsItsJobAndItsFence_WhateverTicketCameWithIt()
    {
        var job = Guid.NewGuid();
        var taken = new JobLease(job, 42) { Ticket = "ticket" };

        Assert.Equal(new JobLease(job, 42), taken);
        Assert.Equal(new JobLease(job, 42).GetHashCode(), taken.GetHashCode());
        Assert.NotEqual(new JobLease(job, 43), taken);
        Assert.NotEqual(new JobLease(Guid.NewGuid(), 42), taken);
    }
}
