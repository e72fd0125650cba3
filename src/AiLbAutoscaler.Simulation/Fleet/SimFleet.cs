using AiLbAutoscaler.Simulation.LoadBalancing;
using AiLbAutoscaler.Simulation.Scoring;
using AiLbAutoscaler.Simulation.Traffic;

namespace AiLbAutoscaler.Simulation.Fleet;

internal enum InstanceState : byte
{
    Free,
    Booting,
    Serving,
    Draining,
}

/// <summary>
/// The managed instance group and its instances, kept in flat per-slot arrays so that the per-request path allocates
/// nothing. Each request gets one completion event, computed when it enters the batch: prefill waits for the instance's
/// previous prefill (one at a time), then decodes at a per-token time set by the batch occupancy at entry.
/// Billing runs from the creation request to deletion.
/// </summary>
internal sealed class SimFleet
{
    private readonly InstanceModel _model;
    private readonly LifecycleOptions _life;
    private readonly EventQueue _events;
    private readonly RequestLedger _ledger;
    private readonly SimRandom _random;
    private readonly int _batch;
    private readonly int _maxOutstanding;
    private readonly double _prefillFixed;
    private readonly double _prefillPerToken;
    private readonly double _decode;
    private readonly double _decodePerSequence;
    private readonly Stack<int> _free = new();

    private InstanceState[] _state = new InstanceState[16];
    private int[] _generation = new int[16];
    private double[] _created = new double[16];
    private double[] _prefillFree = new double[16];
    private int[] _active = new int[16];
    private int[] _outstanding = new int[16];
    private int[] _servingPos = new int[16];
    private Queue<Queued>?[] _queues = new Queue<Queued>?[16];
    private int[] _serving = new int[16];
    private int _slots;

    private long _busyServing;
    private long _outstandingServing;
    private double _accBusy;
    private double _accOutstanding;
    private double _accServing;
    private double _lastAccumulated;
    private int _lastDirection;

    public SimFleet(InstanceModel model, LifecycleOptions life, EventQueue events, RequestLedger ledger, SimRandom random)
    {
        _model = model;
        _life = life;
        _events = events;
        _ledger = ledger;
        _random = random;
        _batch = model.BatchSize;
        _maxOutstanding = model.BatchSize + model.MaxQueue;
        _prefillFixed = model.PrefillFixedMs / 1000;
        _prefillPerToken = model.PrefillMsPerToken / 1000;
        _decode = model.DecodeMsPerToken / 1000;
        _decodePerSequence = model.DecodeMsPerTokenPerSequence / 1000;
    }

    public int ServingCount { get; private set; }

    public int BootingCount { get; private set; }

    public int DrainingCount { get; private set; }

    /// <summary>The group's target size: instances booting or serving (draining ones are on their way out).</summary>
    public int TargetSize => BootingCount + ServingCount;

    /// <summary>Instances billed right now (booting, serving, draining).</summary>
    public int Billed => BootingCount + ServingCount + DrainingCount;

    public int Peak { get; private set; }

    public double BilledSeconds { get; private set; }

    public int Resizes { get; private set; }

    public int DirectionChanges { get; private set; }

    /// <summary>Billing stops here (the end of the trace); instances deleted later are billed up to it.</summary>
    public double BillingEnd { get; set; } = double.PositiveInfinity;

    /// <summary>Requests the servers received, including those a full server rejected with 503 (its own counter sees them); not those the LB could send nowhere.</summary>
    public long Received { get; private set; }

    /// <summary>Requests in the batch on serving instances, now (vLLM <c>num_requests_running</c>, summed).</summary>
    public long RunningNow => _busyServing;

    /// <summary>Requests waiting beyond the batch on serving instances, now (vLLM <c>num_requests_waiting</c>, summed).</summary>
    public long WaitingNow => _outstandingServing - _busyServing;

    /// <summary>Requests in flight or queued anywhere.</summary>
    public long InFlight { get; private set; }

    /// <summary>Adds instances that are already serving (a warm start).</summary>
    public void AddWarm(int count, double now)
    {
        for (var i = 0; i < count; i++)
        {
            var slot = Create(now);
            BootingCount--;
            BecomeServing(slot, now);
        }
    }

    public void Route(in Arrival a, double now)
    {
        _ledger.Arrive(a.PromptTokens);
        var pick = LeastOutstandingBalancer.Pick(new ReadOnlySpan<int>(_serving, 0, ServingCount), _outstanding);
        if (pick < 0)
        {
            _ledger.Drop();
            return;
        }

        var slot = _serving[pick];
        Received++;
        if (_outstanding[slot] >= _maxOutstanding)
        {
            _ledger.Drop();
            return;
        }

        Accumulate(now);
        _outstanding[slot]++;
        _outstandingServing++;
        InFlight++;
        if (_active[slot] < _batch)
        {
            Start(slot, a.Time, a.PromptTokens, a.OutputTokens, now);
        }
        else
        {
            (_queues[slot] ??= new Queue<Queued>(64)).Enqueue(new Queued(a.Time, a.PromptTokens, a.OutputTokens));
        }
    }

    private void Start(int slot, double arrivedAt, int prompt, int output, double now)
    {
        var active = ++_active[slot];
        if (_state[slot] == InstanceState.Serving)
        {
            _busyServing++;
        }

        var prefillStart = now > _prefillFree[slot] ? now : _prefillFree[slot];
        var firstToken = prefillStart + _prefillFixed + prompt * _prefillPerToken;
        _prefillFree[slot] = firstToken;
        var done = firstToken + (output - 1) * (_decode + _decodePerSequence * active);
        _events.Schedule(new SimEvent
        {
            Time = done,
            Kind = EventKind.Completion,
            Slot = slot,
            Generation = _generation[slot],
            TtftMs = (float)((firstToken - arrivedAt) * 1000),
            E2eMs = (float)((done - arrivedAt) * 1000),
        });
    }

    public void OnCompletion(in SimEvent e, double now)
    {
        var slot = e.Slot;
        if (_generation[slot] != e.Generation)
        {
            return; // cut off when its instance was deleted, and counted as dropped then
        }

        Accumulate(now);
        _ledger.Complete(e.TtftMs, e.E2eMs);
        InFlight--;
        _active[slot]--;
        _outstanding[slot]--;
        var state = _state[slot];
        if (state == InstanceState.Serving)
        {
            _busyServing--;
            _outstandingServing--;
        }

        var queue = _queues[slot];
        if (queue is { Count: > 0 })
        {
            var q = queue.Dequeue();
            Start(slot, q.ArrivedAt, q.Prompt, q.Output, now);
        }
        else if (state == InstanceState.Draining && _outstanding[slot] == 0)
        {
            Delete(slot, now);
        }
    }

    public void OnBootDone(in SimEvent e, double now)
    {
        if (_generation[e.Slot] == e.Generation && _state[e.Slot] == InstanceState.Booting)
        {
            BootingCount--;
            BecomeServing(e.Slot, now);
        }
    }

    public void OnDrainTimeout(in SimEvent e, double now)
    {
        var slot = e.Slot;
        if (_generation[slot] != e.Generation || _state[slot] != InstanceState.Draining)
        {
            return;
        }

        _ledger.Drop(_outstanding[slot]);
        InFlight -= _outstanding[slot];
        Delete(slot, now);
    }

    /// <summary>Sets the group's target size: creates instances, or removes booting ones first, then drains the least busy.</summary>
    public void Resize(int target, double now, bool exactBoot = false)
    {
        var current = TargetSize;
        if (target == current)
        {
            return;
        }

        var direction = Math.Sign(target - current);
        Resizes++;
        if (_lastDirection != 0 && direction != _lastDirection)
        {
            DirectionChanges++;
        }

        _lastDirection = direction;
        for (var i = current; i < target; i++)
        {
            var slot = Create(now);
            var boot = exactBoot
                ? _life.BootSeconds
                : _random.Jitter(_life.BootSeconds, _life.BootJitter) + _random.NextDouble() * _life.HealthCheckIntervalSeconds;
            _events.Schedule(new SimEvent { Time = now + boot, Kind = EventKind.BootDone, Slot = slot, Generation = _generation[slot] });
        }

        for (var remove = current - target; remove > 0; remove--)
        {
            if (BootingCount > 0)
            {
                Delete(NewestBooting(), now);
            }
            else
            {
                StartDrain(_serving[LeastOutstandingBalancer.Pick(new ReadOnlySpan<int>(_serving, 0, ServingCount), _outstanding)], now);
            }
        }
    }

    /// <summary>The ages of the instances in the group (booting and serving), measured from their creation request.</summary>
    public List<TimeSpan> InstanceAges(double now)
    {
        var ages = new List<TimeSpan>(TargetSize);
        for (var s = 0; s < _slots; s++)
        {
            if (_state[s] is InstanceState.Booting or InstanceState.Serving)
            {
                ages.Add(TimeSpan.FromSeconds(now - _created[s]));
            }
        }

        return ages;
    }

    /// <summary>Time-averaged utilization, outstanding and waiting requests per serving instance since the last call; then restarts.</summary>
    public (double Utilization, double QueuePerInstance, double WaitingPerInstance) CloseMinute(double now)
    {
        Accumulate(now);
        var utilization = _accServing > 0 ? _accBusy / (_batch * _accServing) : double.NaN;
        var queue = _accServing > 0 ? _accOutstanding / _accServing : double.NaN;
        var waiting = _accServing > 0 ? Math.Max(0, _accOutstanding - _accBusy) / _accServing : double.NaN; // outstanding = in the batch + waiting
        _accBusy = _accOutstanding = _accServing = 0;
        return (utilization, queue, waiting);
    }

    /// <summary>Bills every instance still alive up to <see cref="BillingEnd"/>.</summary>
    public void FinishBilling()
    {
        for (var s = 0; s < _slots; s++)
        {
            if (_state[s] != InstanceState.Free)
            {
                BilledSeconds += Math.Max(0, BillingEnd - _created[s]);
                _created[s] = BillingEnd;
            }
        }
    }

    private void Accumulate(double now)
    {
        var dt = now - _lastAccumulated;
        if (dt > 0)
        {
            _accBusy += _busyServing * dt;
            _accOutstanding += _outstandingServing * dt;
            _accServing += ServingCount * dt;
            _lastAccumulated = now;
        }
    }

    private int Create(double now)
    {
        int slot;
        if (_free.Count > 0)
        {
            slot = _free.Pop();
        }
        else
        {
            if (_slots == _state.Length)
            {
                Grow();
            }

            slot = _slots++;
        }

        _state[slot] = InstanceState.Booting;
        _created[slot] = now;
        _active[slot] = 0;
        _outstanding[slot] = 0;
        BootingCount++;
        Peak = Math.Max(Peak, Billed);
        return slot;
    }

    private void BecomeServing(int slot, double now)
    {
        Accumulate(now);
        _state[slot] = InstanceState.Serving;
        _prefillFree[slot] = now;
        _servingPos[slot] = ServingCount;
        _serving[ServingCount++] = slot;
    }

    private void StartDrain(int slot, double now)
    {
        Accumulate(now);
        RemoveFromServing(slot);
        _busyServing -= _active[slot];
        _outstandingServing -= _outstanding[slot];
        _state[slot] = InstanceState.Draining;
        DrainingCount++;
        if (_outstanding[slot] == 0)
        {
            Delete(slot, now);
        }
        else
        {
            _events.Schedule(new SimEvent { Time = now + _life.DrainTimeoutSeconds, Kind = EventKind.DrainTimeout, Slot = slot, Generation = _generation[slot] });
        }
    }

    private void RemoveFromServing(int slot)
    {
        var pos = _servingPos[slot];
        var last = _serving[--ServingCount];
        _serving[pos] = last;
        _servingPos[last] = pos;
    }

    private void Delete(int slot, double now)
    {
        switch (_state[slot])
        {
            case InstanceState.Booting:
                BootingCount--;
                break;
            case InstanceState.Draining:
                DrainingCount--;
                break;
            case InstanceState.Serving:
                Accumulate(now);
                RemoveFromServing(slot);
                _busyServing -= _active[slot];
                _outstandingServing -= _outstanding[slot];
                break;
        }

        BilledSeconds += Math.Max(0, Math.Min(now, BillingEnd) - _created[slot]);
        _state[slot] = InstanceState.Free;
        _generation[slot]++;
        _active[slot] = 0;
        _outstanding[slot] = 0;
        _queues[slot]?.Clear();
        _free.Push(slot);
    }

    private int NewestBooting()
    {
        var best = -1;
        for (var s = 0; s < _slots; s++)
        {
            if (_state[s] == InstanceState.Booting && (best < 0 || _created[s] >= _created[best]))
            {
                best = s;
            }
        }

        return best;
    }

    private void Grow()
    {
        var n = _state.Length * 2;
        Array.Resize(ref _state, n);
        Array.Resize(ref _generation, n);
        Array.Resize(ref _created, n);
        Array.Resize(ref _prefillFree, n);
        Array.Resize(ref _active, n);
        Array.Resize(ref _outstanding, n);
        Array.Resize(ref _servingPos, n);
        Array.Resize(ref _queues, n);
        Array.Resize(ref _serving, n);
    }

    private readonly record struct Queued(double ArrivedAt, int Prompt, int Output);
}
