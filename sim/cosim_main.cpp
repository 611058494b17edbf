// cosim_main.cpp - Verilator driver for the lockstep co-simulation of
// mmu_core against the C model.  It only moves bits: stimulus, memory and
// every comparison live in cosim.c.  Inputs change on the falling edge,
// away from the sampling edge; every wait has a cycle budget.
//
// usage: cosim [--modes sv32,sv39,sv48,x86_64] [--seeds FIRST-LAST] [--requests N]
//              [--break N]   (a build with MMU_BREAKABLE: run broken variant N)
//              [--no-waits]  (no random bus wait states, stalls or response back-pressure)
//              [--no-races]  (no invalidations racing walks)
//              [--strict-eval]  (evaluate every clock's inputs with the clock low
//                            before its edge: the plain driver, slower; the same
//                            clocks and answers, tools/eval-equiv.sh)
//              [--addr-trace FILE]  (replay a valgrind lackey trace or "VA r|w|x"
//                            lines instead of random stimulus: cosim.h)
//              [--back-to-back]  (send requests back to back, up to 8 in flight,
//                            instead of one at a time; drained before every PTE
//                            change, control operation, check and raced request)
//              [--locality mix|seq|stride:BYTES|random|zipf[:S]]  (where random requests
//                            go: sim/ptgen.h; default mix)
//              [--tables sparse|dense]  (1-3 entries a table at random indices, or
//                            up to 96 consecutive ones: sim/ptgen.h; default sparse)
//              [--out DIR]   (where a divergence writes its reproducer; default: next to cosim)
//              [--directed FILE]  (a directed test: sim/directed/, cosim.h)
//              [--log FILE]  (one mode, one seed: write the transaction log that
//                            sim/tb_txlog.v replays under Icarus; no races, no streams)
//              [--replay FILE] [--trace OUT.fst] [--trace-from CLOCK]  (replay a reproducer,
//                            dumping an FST window: builds with --trace-fst)
//              [--cover FILE.md]  (append the functional coverage, per mode, as Markdown)
//              [--geometry SETS,WAYS,SP,PWC,ASID_BITS,PA_BITS[,MODES]] [--tb VA,PA,PAGE_BITS,IDX/IDX..]
// --geometry and --tb default to the parameters the RTL was built with (read
// from the Verilated model); given, they must repeat them, or the run stops.
// Prints one line per mode and ends with "N passed, N failed" (one per seed).
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "Vmmu_core.h"
#include "Vmmu_core___024root.h"
#include "Vmmu_core_mmu_core.h"   // the public parameters (check_geometry)
// the build's HUM parameter (the Makefile passes it with the -G flags)
#ifndef COSIM_HUM
#error "COSIM_HUM must be defined: 1 if the RTL is built with HUM=1"
#endif
// 1 if the RTL is built with MMU_BREAKABLE (the broken variants, --break)
#ifndef COSIM_BREAKABLE
#define COSIM_BREAKABLE 0
#endif
#include "verilated.h"
#if VM_TRACE
#include "verilated_fst_c.h"
#endif

extern "C" {
#include "cosim.h"
#include "mmu_model.h"
}

namespace {

// Tell Verilator's edge detector that the clock was low, without an eval
// (Rtl::tick).  The detector keeps the clock's last evaluated value in a
// member of the root model; Verilator 5.006 names it __Vtrigrprev__TOP__clk_i.
// Where a Verilator names it otherwise, this overload drops out and the
// driver evaluates the low phase instead (false).
template <typename Root>
auto clock_low(Root *root, int) -> decltype(root->__Vtrigrprev__TOP__clk_i = 0, bool()) {
    root->__Vtrigrprev__TOP__clk_i = 0;
    return true;
}
template <typename Root>
bool clock_low(Root *, long) {
    return false;
}

constexpr unsigned kBudget = 2000;  // cycles any single wait may take

// The core's own simulation assertions end in $stop (rtl/mmu_core.v, the
// handshake rules).  Verilator would abort the process there; the driver
// asks it not to (fatalOnError) and turns the stop into this exception, so
// that the seed is reported as a failure, with its last transactions and a
// reproducer, and the run goes on to its summary.
struct RtlStopped {};

struct Rtl {
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<Vmmu_core> top;
    cosim *cs = nullptr;
    uint64_t cycle = 0;
    // the memory slave: an operation is done when the RTL issues it; its
    // acknowledge comes a clock later, or after random wait states (waits),
    // or when the driver lets it go (hold, for a racing invalidation)
    bool waits = false, hold = false;
    int ack_in = -1;            // clocks until the pending acknowledge (-1: none)
    bool pend_ok = true, pend_we = false;
    uint64_t pend_dat = 0, rng = 1;
    unsigned acks = 0;          // acknowledges (and errors) the RTL has taken
#if VM_TRACE
    std::unique_ptr<VerilatedFstC> tfp_own;
    VerilatedFstC *tfp = nullptr;
    uint64_t trace_from = ~0ULL;
    std::string trace_file;

    // the window opens at trace_from: nothing is traced before it
    void dump() {
        if (cycle < trace_from) return;
        if (!tfp) {
            tfp_own.reset(new VerilatedFstC);
            top->trace(tfp_own.get(), 99);
            tfp_own->open(trace_file.c_str());
            tfp = tfp_own.get();
        }
        tfp->dump(ctx->time());
    }
#else
    void dump() {}
#endif

    // plusarg: "+break=N" for a build with MMU_BREAKABLE (nullptr: none)
    explicit Rtl(const char *plusarg) : ctx(new VerilatedContext), top(new Vmmu_core(ctx.get())) {
        ctx->fatalOnError(false);   // $stop: RtlStopped, from eval()
        if (plusarg) {
            const char *argv[] = {"cosim", plusarg};
            ctx->commandArgs(2, argv);
        }
    }

    FILE *log = nullptr;  // --log: the transaction log (sim/tb_txlog.v reads it)

    unsigned rand(unsigned n) {
        rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<unsigned>(rng >> 33) % n;
    }

    // Every eval() runs the whole input-dependent logic (Verilator's ico
    // region), the dearest part of a clock, so the driver evaluates as
    // little as it can.  Only two outputs depend on a clock's inputs and
    // not on state alone: req_ready_o and insp_ready_o, and only through
    // req_valid_i, rsp_ready_i and ctl_valid_i (the handshake inputs; every
    // other output is a register).  So before an edge the driver evaluates
    // only if one of those three changed since the last eval (settle); the
    // other inputs take effect in the rising edge's own eval, which runs
    // the input logic before it samples.  And the clock's low phase is not
    // evaluated at all (nothing in the core is sensitive to it): tick()
    // tells Verilator's edge detector the clock was low (clock_low).
    // --strict-eval evaluates every clock's inputs with the clock low
    // instead; make test checks that both give the same clocks and answers
    // (tools/eval-equiv.sh).
    bool strict = false;
    bool dirty = true;          // force the next settle() to evaluate
    bool low_seen = false;      // an eval saw the clock low since the last rising edge
    unsigned hs_seen = ~0u;     // the handshake inputs as the last eval saw them
    unsigned handshake() const {
        return top->req_valid_i | top->rsp_ready_i << 1 | top->ctl_valid_i << 2;
    }
    void eval() {
        top->eval();
        if (ctx->gotError()) throw RtlStopped();
        dirty = false;
        hs_seen = handshake();
        if (!top->clk_i) low_seen = true;
    }
    void settle() {
        if (dirty || handshake() != hs_seen) eval();
    }

    // one clock: rising edge (RTL samples), Wishbone slave answers, falling
    // edge (evaluated only when a waveform is open)
    void tick() {
        settle();  // the outputs the driver reads before the edge are current
        if (!low_seen && !clock_low(top->rootp, 0)) eval();
        top->clk_i = 1;
        // sample the bus as the RTL drove it before this edge
        bool take = top->wb_cyc_o && top->wb_stb_o && !top->wb_stall_i;
        if (top->wb_ack_i || top->wb_err_i) acks++;
        uint64_t adr = static_cast<uint64_t>(top->wb_adr_o) << 3;
        bool we = top->wb_we_o;
        uint64_t dat = top->wb_dat_o;
        uint8_t sel = top->wb_sel_o;
        eval();
        low_seen = false;
        dump();
        ctx->timeInc(1);
        top->clk_i = 0;
        top->wb_ack_i = 0;
        top->wb_err_i = 0;
        if (take) {
            int rc;
            if (we) {
                if (log)
                    std::fprintf(log, "W %016llx %016llx %02x\n", static_cast<unsigned long long>(adr),
                                 static_cast<unsigned long long>(dat), sel);
                rc = cosim_mem_write(cs, adr, dat, sel);
            } else {
                uint64_t d = 0;
                rc = cosim_mem_read(cs, adr, &d);
                pend_dat = d;
            }
            pend_ok = rc == 0;
            pend_we = we;
            ack_in = waits ? static_cast<int>(rand(4) == 0 ? 1 + rand(3) : 0) : 0;
        }
        if (ack_in >= 0 && !(hold && !pend_we)) {   // writes are never held
            if (ack_in == 0) {
                top->wb_dat_i = pend_dat;
                top->wb_ack_i = pend_ok;
                top->wb_err_i = !pend_ok;
            }
            ack_in--;
        }
        top->wb_stall_i = waits && rand(5) == 0;
#if VM_TRACE
        if (cycle >= trace_from) {  // the waveform is open (dump() opens it)
            eval();
            dump();
        }
#endif
        dirty = strict;  // --strict-eval: evaluate the next clock's inputs before its edge
        cycle++;
        ctx->timeInc(1);
    }

    void reset() {
        top->rst_ni = 0;
        top->req_valid_i = 0;
        top->rsp_ready_i = 1;
        top->ctl_valid_i = 0;
        top->insp_valid_i = 0;
        top->wb_ack_i = 0;
        top->wb_err_i = 0;
        top->wb_stall_i = 0;
        top->clk_i = 0;
        eval();
        tick();
        tick();
        top->rst_ni = 1;
        eval();
        tick();
    }
};

// Tick until cond() holds; returns the ticks taken, or -1 past the budget.
template <typename Cond>
int wait_until(Rtl &r, Cond cond) {
    int n = 0;
    for (r.settle(); !cond(); r.settle()) {
        if (++n > static_cast<int>(kBudget)) return -1;
        r.tick();
    }
    return n;
}

void drive_req(Rtl &r, const mmu_request &q) {
    r.top->req_tag_i = q.tag & 0xffff;
    r.top->req_asid_i = q.asid;
    r.top->req_va_i = q.va;
    r.top->req_access_i = q.access;
    r.top->req_priv_i = q.priv;
}

mmu_response read_rsp(Rtl &r) {
    mmu_response rsp{};
    rsp.tag = r.top->rsp_tag_o;
    rsp.cause = r.top->rsp_cause_o;
    rsp.level = r.top->rsp_level_o;
    rsp.pa = r.top->rsp_pa_o;
    rsp.perm = r.top->rsp_perm_o;
    rsp.page_shift = r.top->rsp_page_shift_o;
    rsp.hit = r.top->rsp_hit_o;
    rsp.exc = r.top->rsp_exc_o;
    rsp.err = r.top->rsp_err_o;
    return rsp;
}

void drive_ctl(Rtl &r, const cosim_ctl &c) {
    r.top->ctl_op_i = c.op;
    r.top->ctl_kind_i = c.kind;
    r.top->ctl_mode_i = c.mode;
    r.top->ctl_asid_i = c.asid;
    r.top->ctl_data_i = c.data;
}

int run_ctl(Rtl &r, const cosim_ctl &c) {
    if (r.log)
        std::fprintf(r.log, "C %x %x %x %x %016llx\n", c.op, c.kind, c.mode, c.asid,
                     static_cast<unsigned long long>(c.data));
    r.top->ctl_valid_i = 1;
    drive_ctl(r, c);
    if (wait_until(r, [&] { return r.top->ctl_ready_o != 0; }) < 0) return -2;
    r.tick();  // accepted on this edge
    r.top->ctl_valid_i = 0;
    if (wait_until(r, [&] { return r.top->ctl_done_o != 0; }) < 0) return -2;
    return cosim_on_ctl(r.cs, &c);
}

// One request, its response taken under random back-pressure (when the bus
// has wait states).  With race set, the invalidation *race is raised once
// the walk has completed `after` memory operations; the next acknowledge is
// held until the RTL takes it.  *latency: clocks to the first valid response.
int run_req(Rtl &r, const mmu_request &q, unsigned *latency, const cosim_ctl *race = nullptr,
            unsigned after = 0) {
    if (r.log)
        std::fprintf(r.log, "Q %x %x %016llx %x %x\n", q.tag & 0xffff, q.asid,
                     static_cast<unsigned long long>(q.va), q.access, q.priv);
    r.top->req_valid_i = 1;
    drive_req(r, q);
    if (wait_until(r, [&] { return r.top->req_ready_o != 0; }) < 0) return -2;
    r.tick();
    r.top->req_valid_i = 0;
    unsigned base = r.acks, k = 0, n = 0;
    bool armed = false, up = false, taken = false, done = false;
    *latency = 0;
    for (;;) {
        // past `after` operations, hold the next acknowledge; raise the
        // invalidation once an operation is held, so that it lands mid-walk
        if (race && !armed && r.acks - base >= after) {
            r.hold = true;
            armed = true;
        }
        if (armed && !up && !taken && r.ack_in >= 0 && !r.pend_we) {
            drive_ctl(r, *race);
            r.top->ctl_valid_i = 1;
            up = true;
        }
        r.top->rsp_ready_i = !r.waits || r.rand(3) != 0;
        r.settle();
        bool rsp = r.top->rsp_valid_o && r.top->rsp_ready_i;
        bool acc = up && r.top->ctl_ready_o;
        if (r.top->rsp_valid_o && !*latency) *latency = n + 1;
        if (taken && r.top->ctl_done_o) done = true;
        mmu_response res = read_rsp(r);
        if (acc) k = r.acks - base;  // operations completed before this edge
        r.tick();
        if (acc) {
            taken = true;
            up = false;
            r.hold = false;
            r.top->ctl_valid_i = 0;
        }
        if (rsp) {
            if (r.log)
                std::fprintf(r.log, "R %x %x %x %016llx %x %x %x %x %x\n", res.tag, res.cause,
                             res.level, static_cast<unsigned long long>(res.pa), res.perm,
                             res.page_shift, res.hit, res.exc, res.err);
            r.top->rsp_ready_i = 1;
            r.hold = false;
            if (race && !taken) {
                // the walk made no operation past `after`: the invalidation
                // follows the response as an ordinary control operation
                int rc = cosim_on_response(r.cs, &res);
                return rc ? rc : run_ctl(r, *race);
            }
            if (race) {
                if (!done && wait_until(r, [&] { return r.top->ctl_done_o != 0; }) < 0) return -2;
                cosim_race_accepted(r.cs, race, k, r.acks - base);
            }
            return cosim_on_response(r.cs, &res);
        }
        if (++n > kBudget) return -2;
    }
}

// How often a stream refuses a response: never, a clock in three, three in four.
enum class Refuse { kNone, kThird, kMost };

// One clock of a pipelined run (run_stream, run_burst): the request valid
// as `have` says, the response refused as `refuse` says, and a response
// taken is checked.  *acc: the request was taken at this edge; *rsp: a
// response was taken.  *idle counts the clocks in a row without a
// response: -2 past the budget; -1 on a divergence.
int pipe_clock(Rtl &r, bool have, Refuse refuse, bool *acc, bool *rsp, unsigned *idle) {
    r.top->req_valid_i = have;
    r.top->rsp_ready_i = refuse == Refuse::kMost ? r.rand(4) == 0 :
                         refuse == Refuse::kThird ? r.rand(3) != 0 : 1;
    r.settle();
    *acc = have && r.top->req_ready_o;
    *rsp = r.top->rsp_valid_o && r.top->rsp_ready_i;
    mmu_response res = read_rsp(r);
    r.tick();
    if (!*rsp) return ++*idle > kBudget ? -2 : 0;
    *idle = 0;
    return cosim_on_response(r.cs, &res) ? -1 : 0;
}

// Requests back to back (valid held high), responses taken every clock or
// refused as `refuse` says (the pipeline must stall with hits and walks in
// flight); every response is still checked.  Returns the clocks from first
// acceptance to the last response.
int run_stream(Rtl &r, unsigned n, uint64_t *cycles, Refuse refuse = Refuse::kNone) {
    unsigned sent = 0, got = 0, idle = 0;
    bool have = false, acc, rsp;
    mmu_request q{};
    uint64_t start = 0;
    while (got < n) {
        if (!have && sent < n) {
            if (cosim_stream_request(r.cs, &q)) return -1;
            drive_req(r, q);
            have = true;
        }
        uint64_t now = r.cycle;
        if (int rc = pipe_clock(r, have, refuse, &acc, &rsp, &idle)) return rc;
        if (acc && sent == 0) start = now;
        if (acc) {
            have = false;
            sent++;
        }
        if (rsp) got++;
    }
    r.top->req_valid_i = 0;
    r.top->rsp_ready_i = 1;
    *cycles = r.cycle - start;
    return 0;
}

// What a burst hands back to the run loop: the first action it did not
// send (a control operation, a check, the end, or a request chosen to meet
// a racing invalidation, which goes alone: run_req).
struct Carry {
    cosim_act act = COSIM_END;
    mmu_request q{};
    cosim_ctl c{};
    cosim_ctl race{};
    unsigned after = 0;
};

// --back-to-back: the requests cosim_next hands out are sent back to back,
// valid held high, up to 8 in flight, as a core's load/store unit would
// send them; responses are taken every clock (a third of the clocks
// refused, with waits).  With requests in flight the next action is asked
// for only when it is a plain request (cosim_next_plain); before anything
// else - a PTE change, a control operation, a check - every response is
// drained first.  Issuing stops at the first action that is not a request
// to send now, which is left in *next; with races, a request chosen to
// meet a racing invalidation stops it too (cosim_race has then been asked).
int run_burst(Rtl &r, const mmu_request &first, bool races, Carry *next, unsigned *sent) {
    unsigned inflight = 0, idle = 0;
    bool have = true, more = true, acc, rsp;
    drive_req(r, first);
    while (have || inflight) {
        if (int rc = pipe_clock(r, have, r.waits ? Refuse::kThird : Refuse::kNone, &acc, &rsp, &idle))
            return rc;
        if (acc) {
            have = false;
            inflight++;
            (*sent)++;
        }
        if (rsp) inflight--;
        // the checker holds up to 8 requests not yet answered
        if (!have && more && inflight < 8 && (inflight == 0 || cosim_next_plain(r.cs))) {
            next->act = cosim_next(r.cs, &next->q, &next->c);
            if (next->act != COSIM_REQ) {
                if (inflight) return -1;   // cosim_next refused (cosim_error says why)
                more = false;
            } else if (races && cosim_race(r.cs, &next->q, &next->race, &next->after)) {
                more = false;
            } else {
                drive_req(r, next->q);
                have = true;
            }
        }
    }
    r.top->req_valid_i = 0;
    r.top->rsp_ready_i = 1;
    return 0;
}

// Bits [lo, lo+n) of a Verilated output, n <= 64: a wide one (VlWide, 32-bit
// words) or one that fits 64 bits.
template <typename Wide>
uint64_t out_bits(const Wide &w, unsigned lo, unsigned n) {
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) v |= static_cast<uint64_t>((w[(lo + i) / 32] >> ((lo + i) % 32)) & 1u) << i;
    return v;
}
inline uint64_t out_bits(uint64_t w, unsigned lo, unsigned n) {
    return (w >> lo) & (n >= 64 ? ~0ULL : (1ULL << n) - 1);
}

// One inspection answer (the outputs of a clock with insp_rvalid_o high),
// checked against the model.  Array 7, a whole base set (index: the set),
// is checked as every way's entry (array 0) and the set's PLRU word.
int check_read(Rtl &r, const mmu_config &g, unsigned array, unsigned index) {
    const auto *t = r.top.get();
    if (array == 7) {
        // way k at k * (43 + PA_BITS + ASID_BITS), from the top:
        // valid, VPN (36), frame (PA_BITS), ASID (ASID_BITS), rights (6)
        const unsigned pa = g.pa_bits, asid = g.asid_bits, w = 43 + pa + asid;
        for (unsigned k = 0; k < g.tlb_ways; k++) {
            unsigned at = k * w;
            mmu_entry e{};
            e.perm = static_cast<uint8_t>(out_bits(t->insp_set_o, at, 6));
            e.asid = static_cast<uint16_t>(out_bits(t->insp_set_o, at + 6, asid));
            e.ppn = out_bits(t->insp_set_o, at + 6 + asid, pa);
            e.vpn = out_bits(t->insp_set_o, at + 6 + asid + pa, 36);
            e.valid = static_cast<uint8_t>(out_bits(t->insp_set_o, at + 42 + asid + pa, 1));
            e.level = 0;
            e.page_shift = static_cast<uint8_t>(g.tb.page_bits ? g.tb.page_bits : 12);
            if (cosim_check_entry(r.cs, 0, index * g.tlb_ways + k, &e)) return -1;
        }
        return cosim_check_plru(r.cs, index, static_cast<uint32_t>(t->insp_data_o));
    }
    switch (array) {
    case 0: case 1: case 2: {
        mmu_entry e{};
        e.valid = t->insp_ev_o;
        e.vpn = t->insp_vpn_o;
        e.ppn = t->insp_ppn_o;
        e.asid = t->insp_asid_o;
        e.level = t->insp_level_o;
        e.page_shift = t->insp_shift_o;
        e.perm = t->insp_perm_o;
        return cosim_check_entry(r.cs, array, index, &e);
    }
    case 3: return cosim_check_plru(r.cs, index, static_cast<uint32_t>(t->insp_data_o));
    case 4: return cosim_check_counter(r.cs, index, static_cast<uint32_t>(t->insp_data_o));
    case 5: return cosim_check_context(r.cs, index, t->insp_data_o);
    default:  // array 6 does not exist: every field reads zero (docs/rtl.md)
        return cosim_check_zero(r.cs, "inspection of array 6, valid", t->insp_ev_o) ||
               cosim_check_zero(r.cs, "inspection of array 6, data", t->insp_data_o) ||
               cosim_check_zero(r.cs, "inspection of array 6, vpn", t->insp_vpn_o) ||
               cosim_check_zero(r.cs, "inspection of array 6, ppn", t->insp_ppn_o);
    }
}

// The whole state against the model: every TLB, superpage and PWC entry,
// every PLRU word, every counter, the contexts the stimulus uses (ASID 0
// with its root outside memory, 1-2, and the first without a context) and
// array 6, which does not exist.  The reads go back to back: one is issued
// every clock the port takes it, and the answers come in order.  With
// whole_sets the base array is read a set at a time (array 7: its ways and
// its PLRU word in one answer; 64 reads instead of 320 at the default
// geometry); without, an entry and a PLRU word at a time (arrays 0 and 3:
// the final check, so that both kinds of read are compared every run).
int check_state(Rtl &r, const mmu_config &g, bool whole_sets) {
    std::vector<std::pair<unsigned, unsigned>> reads;
    if (whole_sets) {
        for (unsigned s = 0; s < g.tlb_sets; s++) reads.emplace_back(7, s);
    } else {
        for (unsigned i = 0; i < g.tlb_sets * g.tlb_ways; i++) reads.emplace_back(0, i);
        for (unsigned i = 0; i < g.tlb_sets; i++) reads.emplace_back(3, i);
    }
    for (unsigned i = 0; i < g.sp_entries; i++) reads.emplace_back(1, i);
    for (unsigned i = 0; i < g.pwc_entries; i++) reads.emplace_back(2, i);
    for (unsigned i = g.tlb_sets; i < g.tlb_sets + 2; i++) reads.emplace_back(3, i);
    for (unsigned i = 0; i < MMU_CNT_COUNT; i++) reads.emplace_back(4, i);
    for (unsigned i = 0; i < 4 && i < (1u << g.asid_bits); i++) reads.emplace_back(5, i);
    reads.emplace_back(6, 0);
    size_t sent = 0, got = 0;
    unsigned idle = 0;
    while (got < reads.size()) {
        bool have = sent < reads.size();
        r.top->insp_valid_i = have;
        if (have) {
            r.top->insp_array_i = reads[sent].first;
            r.top->insp_index_i = reads[sent].second;
        }
        r.settle();
        bool acc = have && r.top->insp_ready_o;
        if (r.top->insp_rvalid_o) {
            if (got >= sent) {  // reported as a divergence
                cosim_check_zero(r.cs, "an inspection answer with no read outstanding", 1);
                return -1;
            }
            if (check_read(r, g, reads[got].first, reads[got].second)) return -1;
            got++;
            idle = 0;
        } else if (++idle > kBudget) {
            return -2;
        }
        r.tick();
        if (acc) sent++;
    }
    r.top->insp_valid_i = 0;
    return 0;
}

// What a run was asked: also what a reproducer file holds (as arguments).
struct Options {
    std::string modes = "sv32,sv39,sv48,x86_64";
    unsigned first = 1, last = 8, requests = 2000;
    mmu_config geo{};
    std::string geo_arg, tb_arg;
    int brk = -1;
    bool waits = true, races = true;
    bool strict_eval = false;     // --strict-eval: evaluate each clock low, with its inputs
    bool back_to_back = false;    // --back-to-back: requests back to back
    uint64_t trace_from = ~0ULL;  // --trace-from: dump an FST from this cycle on
    std::string trace_file, out_dir, cover_file;
    std::string addr_trace;       // --addr-trace: replay this address trace
    std::string locality;         // --locality, as given
    ptgen_locality loc{};         // ... parsed (zero: the default mix)
    bool dense = false;           // --tables dense
    std::string log_file;         // --log: write the transaction log
    std::string script_file;      // --directed: run this directed test
    cosim_script *script = nullptr;
    cosim_trace *trace = nullptr; // ... loaded
};

struct Totals {
    unsigned lat_max = 0, hit_lat_min = ~0u, hits = 0, races[4] = {0, 0, 0, 0};
    unsigned mutations = 0, silent = 0;
    cosim_cover cov{};
    uint64_t stream_reqs = 0, tp_reqs = 0, stream_cycles = 0, mix_reqs = 0, mix_cycles = 0;
    uint64_t clocks = 0;        // every clock simulated, checks included
    uint64_t burst_reqs = 0;    // requests sent back to back (--back-to-back)
    uint64_t burst_cycles = 0;  // ... and the clocks from the first to the last answer
};

// On a divergence: the reproducer file (the arguments that replay this one
// seed, with an FST window ending at the failing cycle).
void write_repro(const Options &o, const char *mode, uint64_t seed, uint64_t cycle) {
    std::string path = o.out_dir + "/cosim-fail-" + mode + "-seed" + std::to_string(seed) + ".repro";
    FILE *f = std::fopen(path.c_str(), "w");
    if (!f) {
        std::printf("  (cannot write %s)\n", path.c_str());
        return;
    }
    std::fprintf(f, "--modes %s --seeds %llu-%llu --requests %u", mode,
                 static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed),
                 o.requests);
    if (!o.geo_arg.empty()) std::fprintf(f, " --geometry %s", o.geo_arg.c_str());
    if (!o.tb_arg.empty()) std::fprintf(f, " --tb %s", o.tb_arg.c_str());
    if (o.brk >= 0) std::fprintf(f, " --break %d", o.brk);
    if (!o.waits) std::fprintf(f, " --no-waits");
    if (!o.races) std::fprintf(f, " --no-races");
    if (o.strict_eval) std::fprintf(f, " --strict-eval");
    if (o.back_to_back) std::fprintf(f, " --back-to-back");
    if (!o.locality.empty()) std::fprintf(f, " --locality %s", o.locality.c_str());
    if (o.dense) std::fprintf(f, " --tables dense");
    if (!o.addr_trace.empty()) std::fprintf(f, " --addr-trace %s", o.addr_trace.c_str());
    if (!o.script_file.empty()) std::fprintf(f, " --directed %s", o.script_file.c_str());
    std::fprintf(f, " --trace-from %llu\n",
                 static_cast<unsigned long long>(cycle > 2000 ? cycle - 2000 : 0));
    std::fclose(f);
    std::printf("  reproducer: %s (cosim --replay FILE [--trace OUT.fst] runs it again%s)\n",
                path.c_str(),
#if VM_TRACE
                " and dumps the last 2000 clocks"
#else
                "; the default and broken builds dump waveforms"
#endif
    );
}

int run_seed(unsigned mode, uint64_t seed, const Options &o, Totals *t) {
    char plusarg[32];
    if (o.brk >= 0) std::snprintf(plusarg, sizeof(plusarg), "+break=%d", o.brk);
    Rtl r(o.brk >= 0 ? plusarg : nullptr);
    bool waits = o.waits, races = o.races;
    unsigned requests = o.requests;
    cosim_cfg cfg{};
    cfg.mode = mode;
    cfg.seed = seed;
    cfg.requests = requests;
    cfg.geometry = o.geo;
    cfg.trace = o.trace;
    cfg.script = o.script;
    cfg.hum = COSIM_HUM;
    cfg.loc = o.loc;
    cfg.dense = o.dense;
    if (o.trace || o.script) races = false;   // the stream as it came
#if VM_TRACE
    if (o.trace_from != ~0ULL) {
        r.ctx->traceEverOn(true);
        r.trace_from = o.trace_from;
        r.trace_file = o.trace_file.empty() ? std::string("cosim.fst") : o.trace_file;
    }
#endif
    if (cosim_new(&cfg, &r.cs)) {
        std::printf("seed %llu: cannot set up\n", static_cast<unsigned long long>(seed));
        return -1;
    }
    if (o.trace && cosim_trace_unmapped(r.cs))
        std::printf("  %u of the trace's pages lie outside this mode's address space: "
                    "their accesses fault\n", cosim_trace_unmapped(r.cs));
    std::unique_ptr<FILE, int (*)(FILE *)> logf(nullptr, std::fclose);
    if (!o.log_file.empty()) {
        // the transaction log: the memory image, then every control
        // operation, request, memory write and response in order; one
        // request at a time, so nothing in it depends on timing
        logf.reset(std::fopen(o.log_file.c_str(), "w"));
        if (!logf) {
            std::printf("cannot write %s\n", o.log_file.c_str());
            return -1;
        }
        r.log = logf.get();
        races = false;
        cosim_set_log(r.cs, r.log);   // the memory image first
    }
    r.rng = seed * 0x9e3779b97f4a7c15ULL + mode;
    r.strict = o.strict_eval;
    int rc = 0;
    bool streamed = false;
    uint64_t last_va = 0;   // of the last request sent (for a timeout's report)
    bool in_stream = false;
    bool carried = false;   // the next action came back from a burst
    Carry carry;
    mmu_request q{};
    cosim_ctl c{};
    cosim_act act = COSIM_END;
    try {
        r.reset();
        r.waits = waits;
        for (;;) {
            bool raced = false;     // a request from a burst, chosen to meet a race
            if (carried) {
                act = carry.act;
                q = carry.q;
                c = carry.c;
                raced = act == COSIM_REQ;
            } else {
                act = cosim_next(r.cs, &q, &c);
            }
            carried = false;
            if (act == COSIM_END) break;
            if (act == COSIM_CHECK && cosim_final(r.cs) && cosim_stream_ready(r.cs) && !streamed &&
                !r.log) {
                streamed = true;
                in_stream = true;
                // the random run is over: a throughput stream over recent successes,
                // a stream over pages that share two base sets (PLRU forwarding,
                // victims), two mixed streams (hit-under-miss), then the final check
                // First everything is invalidated, so that the stream starts with
                // misses back to back: a request waits in stage B while the walk
                // before it fills the entry it needs.
                uint64_t cyc = 0, cyc2 = 0, cyc3 = 0, cyc4 = 0;
                cosim_ctl all{};
                all.op = 2;
                all.kind = MMU_INVAL_ALL;
                rc = run_ctl(r, all);
                r.waits = false;  // the measured stream runs on a zero-wait bus
                if (!rc) rc = run_stream(r, 500, &cyc);
                r.waits = waits;  // the set-group stream meets waits and back-pressure
                if (!rc) rc = run_stream(r, 500, &cyc2, waits ? Refuse::kThird : Refuse::kNone);
                // mixed: one request in 8 walks, the others hit (hit-under-miss),
                // with the set-group stream's wait states and back-pressure
                if (!rc) rc = run_stream(r, 500, &cyc3, waits ? Refuse::kThird : Refuse::kNone);
                // the same mixture again, responses refused three clocks in four
                // (unless --no-waits): answers queue up behind the walks
                // (hit-under-miss ordering)
                if (!rc) rc = run_stream(r, 500, &cyc4, waits ? Refuse::kMost : Refuse::kNone);
                if (rc) break;
                in_stream = false;
                t->tp_reqs += 500;
                t->stream_cycles += cyc;
                t->mix_reqs += 500;
                t->mix_cycles += cyc3;
            }
            unsigned lat = 0, after = 0;
            cosim_ctl race{};
            if (act == COSIM_CTL) rc = run_ctl(r, c);
            else if (raced) rc = run_req(r, q, &lat, &carry.race, carry.after);
            else if (act == COSIM_REQ && races && cosim_race(r.cs, &q, &race, &after))
                rc = run_req(r, q, &lat, &race, after);
            else if (act == COSIM_REQ && o.back_to_back && !r.log) {
                last_va = q.va;
                unsigned sent = 0;
                uint64_t c0 = r.cycle;
                rc = run_burst(r, q, races, &carry, &sent);
                t->burst_reqs += sent;
                t->burst_cycles += r.cycle - c0;
                if (rc) break;
                carried = true;
                continue;
            } else if (act == COSIM_REQ) rc = run_req(r, q, &lat);
            else rc = check_state(r, cfg.geometry, !cosim_final(r.cs));
            if (act == COSIM_REQ) last_va = q.va;
            if (rc) break;
            if (act == COSIM_REQ && lat > t->lat_max) t->lat_max = lat;
            if (act == COSIM_REQ && lat && lat < t->hit_lat_min) t->hit_lat_min = lat;
        }
    } catch (const RtlStopped &) {
        rc = -3;
        std::printf("seed %llu: the RTL's own assertion stopped the simulation (the message "
                    "above; last request va 0x%llx)\n",
                    static_cast<unsigned long long>(seed), static_cast<unsigned long long>(last_va));
    }
    if (rc == -1) std::printf("%s\n", cosim_error(r.cs));
    // a stream or a single request, a control operation or a state check
    if (rc == -2)
        std::printf("seed %llu: timeout after %u cycles waiting for the RTL (%s va 0x%llx)\n",
                    static_cast<unsigned long long>(seed), kBudget,
                    in_stream ? "in the streams; the last request before them:" : "last request",
                    static_cast<unsigned long long>(last_va));
    if (rc) {
        static char hist[4096];
        cosim_history(r.cs, hist, sizeof(hist));
        std::printf("  at clock %llu; the last transactions:\n%s",
                    static_cast<unsigned long long>(r.cycle), hist);
        if (o.trace_from == ~0ULL) write_repro(o, mmu_mode_name(mode), seed, r.cycle);
    }
#if VM_TRACE
    if (r.tfp) {
        r.tfp->close();
        std::printf("  waveform: %s (clocks %llu..%llu)\n", r.trace_file.c_str(),
                    static_cast<unsigned long long>(r.trace_from),
                    static_cast<unsigned long long>(r.cycle));
    }
#endif
    if (!rc && streamed) t->stream_reqs += 2000;  // verified: clean seeds only
    t->clocks += r.cycle;
    t->hits += cosim_hits(r.cs);
    {
        unsigned all, silent;
        cosim_mutations(r.cs, &all, &silent);
        t->mutations += all;
        t->silent += silent;
    }
    unsigned rk[4];
    cosim_races(r.cs, rk);
    for (unsigned i = 0; i < 4; i++) t->races[i] += rk[i];
    cosim_cover_add(r.cs, &t->cov);
#if VM_COVERAGE
    if (!o.out_dir.empty()) {
        std::string dat = o.out_dir + "/coverage-" + mmu_mode_name(mode) + "-" +
                          std::to_string(seed) + ".dat";
        r.ctx->coveragep()->write(dat.c_str());
    }
#endif
    r.top->final();
    if (o.script && rc == 0)
        std::printf("  directed %s: %u answers as the script expects\n", o.script_file.c_str(),
                    cosim_directed_ok(r.cs));
    cosim_free(r.cs);
    return rc;
}

// Whether the spec lets a walk in `mode` end with `cause` at `level`
// (docs/spec-translation.md, docs/spec-faults.md): leaves (and so success,
// rights and A/D faults) exist at the levels that have pages; superpages
// may be misaligned only in RISC-V modes; x86-64 sets A/D itself and has no
// misaligned superpage (its low bits are reserved bits); a non-canonical
// VA and a missing context are found before any level.
bool reachable(unsigned mode, unsigned levels, unsigned cause, unsigned level) {
    bool x86 = mode == MMU_MODE_X86_64;
    unsigned leaf_top = x86 ? 2 : levels - 1;   // x86-64: 1 GiB pages, no PML4 leaves
    switch (cause) {
    case MMU_CAUSE_NOT_PRESENT: case MMU_CAUSE_RESERVED: case MMU_CAUSE_ACCESS:
        return level < levels;
    case MMU_CAUSE_OK: case MMU_CAUSE_PERMISSION:
        return level <= leaf_top;
    case MMU_CAUSE_AD_NEEDED:
        return !x86 && level <= leaf_top;
    case MMU_CAUSE_MISALIGNED:
        return !x86 && level >= 1 && level <= leaf_top;
    default:  // non-canonical, no context: before the walk
        return false;
    }
}

// The functional coverage of one mode's seeds, as Markdown.
void write_cover(FILE *f, const char *mode, unsigned mnum, unsigned levels, const Options &o,
                 const cosim_cover &c) {
    static const char *acc[3] = {"r", "w", "x"}, *prv[2] = {"u", "s"};
    unsigned hit = 0, total = 0;
    std::fprintf(f, "### %s (seeds %u-%u, %u requests each)\n\n", mode, o.first, o.last, o.requests);
    std::fprintf(f, "Answers: %lu TLB hits, %lu walks starting from the page-walk cache, %lu full "
                 "walks, %lu faults found before any memory read; %lu answered ahead of an older "
                 "request (hit-under-miss).\n\n",
                 c.hits, c.pwc_walks, c.full_walks, c.no_walk, c.out_of_order);
    // levels past the mode's: faults found before the walk (level field unused)
    std::fprintf(f, "| cause \\\\ level |");
    for (unsigned l = 0; l < levels; l++) std::fprintf(f, " %u |", l);
    std::fprintf(f, " before the walk | access x privilege bins hit |\n|---|");
    for (unsigned l = 0; l <= levels + 1; l++) std::fprintf(f, "---|");
    std::fprintf(f, "\n");
    for (unsigned ca = 0; ca < MMU_CAUSE_COUNT; ca++) {
        std::fprintf(f, "| %s |", mmu_cause_name(ca));
        unsigned row_bins = 0;
        unsigned long other = 0;
        for (unsigned l = 0; l < 5; l++) {
            unsigned long n = 0;
            for (unsigned a = 0; a < 3; a++)
                for (unsigned p = 0; p < 2; p++) {
                    n += c.bins[l][ca][a][p];
                    if (l < levels) {
                        row_bins += c.bins[l][ca][a][p] != 0;
                        hit += c.bins[l][ca][a][p] != 0;
                        total++;
                    }
                }
            if (l < levels) std::fprintf(f, " %lu |", n);
            else other += n;
        }
        std::fprintf(f, " %lu | %u of %u |\n", other, row_bins, levels * 6);
    }
    // the bins the spec allows, and those of them never hit
    unsigned rhit = 0, rtotal = 0;
    std::string missing;
    for (unsigned ca = 0; ca < MMU_CAUSE_COUNT; ca++)
        for (unsigned l = 0; l < levels; l++) {
            if (!reachable(mnum, levels, ca, l)) continue;
            for (unsigned a = 0; a < 3; a++)
                for (unsigned p = 0; p < 2; p++) {
                    rtotal++;
                    if (c.bins[l][ca][a][p]) rhit++;
                    else missing += std::string(" ") + mmu_cause_name(ca) + "/L" + std::to_string(l) +
                                    "/" + acc[a] + "/" + prv[p];
                }
        }
    // the two causes found before any level: per access and privilege
    for (unsigned ca : {static_cast<unsigned>(MMU_CAUSE_NON_CANONICAL), static_cast<unsigned>(MMU_CAUSE_NO_CONTEXT)})
        for (unsigned a = 0; a < 3; a++)
            for (unsigned p = 0; p < 2; p++) {
                unsigned long n = 0;
                for (unsigned l = 0; l < 5; l++) n += c.bins[l][ca][a][p];
                rtotal++;
                if (n) rhit++;
                else missing += std::string(" ") + mmu_cause_name(ca) + "/" + acc[a] + "/" + prv[p];
            }
    std::fprintf(f, "\nBins the spec allows (cause x level x access x privilege): **%u of %u hit**%s%s.\n",
                 rhit, rtotal, missing.empty() ? "" : "; never hit:", missing.c_str());
    std::fprintf(f, "\nAll bins, impossible ones included, at the mode's levels: %u of %u. Per access and "
                 "privilege (all levels and causes):", hit, total);
    for (unsigned a = 0; a < 3; a++)
        for (unsigned p = 0; p < 2; p++) {
            unsigned long n = 0;
            for (unsigned l = 0; l < 5; l++)
                for (unsigned ca = 0; ca < MMU_CAUSE_COUNT; ca++) n += c.bins[l][ca][a][p];
            std::fprintf(f, " %s/%s %lu;", acc[a], prv[p], n);
        }
    std::fprintf(f, "\n\n| invalidation taken mid-walk | after 0 | 1 | 2 | 3+ operations |\n"
                 "|---|---|---|---|---|\n");
    for (unsigned k = 0; k < 4; k++)
        std::fprintf(f, "| %s | %lu | %lu | %lu | %lu |\n", mmu_inval_name(k), c.races[k][0],
                     c.races[k][1], c.races[k][2], c.races[k][3]);
    std::fprintf(f, "\n");
}

// A whole decimal number within [lo, hi]: true and *v, or false.
bool whole(const std::string &s, unsigned long long lo, unsigned long long hi,
           unsigned long long *v) {
    if (s.empty() || s.size() > 20 || s.find_first_not_of("0123456789") != std::string::npos)
        return false;
    errno = 0;
    *v = std::strtoull(s.c_str(), nullptr, 10);
    return errno == 0 && *v >= lo && *v <= hi;
}

int bad_arg(const char *opt, const std::string &val, const char *want) {
    std::fprintf(stderr, "cosim: %s '%s': %s\n", opt, val.c_str(), want);
    return 2;
}

// The geometry the RTL was built with, read from the Verilated model's
// public parameters (sim/cosim.vlt); tb.levels stays 0 unless it is a
// textbook machine.
mmu_config build_geometry() {
    using P = Vmmu_core_mmu_core;
    mmu_config g{};
    const unsigned idx[4] = {P::TB_IDX0, P::TB_IDX1, P::TB_IDX2, P::TB_IDX3};
    g.tlb_sets = P::SETS;
    g.tlb_ways = P::WAYS;
    g.sp_entries = P::SP_N;
    g.pwc_entries = P::PWC_N;
    g.asid_bits = P::ASID_BITS;
    g.pa_bits = P::PA_BITS;
    g.modes = P::MODES;
    if (P::TEXTBOOK) {
        g.tb.va_bits = P::TB_VA;
        g.tb.pa_bits = P::TB_PA;
        g.tb.page_bits = P::TB_PAGE;
        g.tb.levels = P::TB_LEVELS;
        for (unsigned l = 0; l < 4; l++) g.tb.idx_bits[l] = l < P::TB_LEVELS ? idx[l] : 0;
    }
    return g;
}

// The geometry the run was given (--geometry, --tb, or the build's own)
// against the build's: a mismatch is an error here, not a divergence some
// clocks later.
int check_geometry(const mmu_config &g, const mmu_config &rtl) {
    const bool tb = rtl.tb.levels != 0;
    const struct {
        const char *name;
        unsigned long long rtl, given;
        bool used;
    } f[] = {
        {"SETS", rtl.tlb_sets, g.tlb_sets, true},        {"WAYS", rtl.tlb_ways, g.tlb_ways, true},
        {"SP_N", rtl.sp_entries, g.sp_entries, true},    {"PWC_N", rtl.pwc_entries, g.pwc_entries, true},
        {"ASID_BITS", rtl.asid_bits, g.asid_bits, true}, {"PA_BITS", rtl.pa_bits, g.pa_bits, true},
        {"MODES", rtl.modes, g.modes, true},
        {"TEXTBOOK", tb, g.tb.levels != 0, true},
        {"TB_VA", rtl.tb.va_bits, g.tb.va_bits, tb},     {"TB_PA", rtl.tb.pa_bits, g.tb.pa_bits, tb},
        {"TB_PAGE", rtl.tb.page_bits, g.tb.page_bits, tb},
        {"TB_LEVELS", rtl.tb.levels, g.tb.levels, tb},
        {"TB_IDX0", rtl.tb.idx_bits[0], g.tb.idx_bits[0], tb && rtl.tb.levels > 0},
        {"TB_IDX1", rtl.tb.idx_bits[1], g.tb.idx_bits[1], tb && rtl.tb.levels > 1},
        {"TB_IDX2", rtl.tb.idx_bits[2], g.tb.idx_bits[2], tb && rtl.tb.levels > 2},
        {"TB_IDX3", rtl.tb.idx_bits[3], g.tb.idx_bits[3], tb && rtl.tb.levels > 3},
    };
    int bad = 0;
    for (const auto &x : f)
        if (x.used && x.rtl != x.given) {
            std::fprintf(stderr, "cosim: this RTL was built with %s=%llu, the run was given %llu "
                         "(--geometry and --tb must repeat the build's -G parameters)\n",
                         x.name, x.rtl, x.given);
            bad = 1;
        }
    return bad ? 2 : 0;
}

int parse(std::vector<std::string> args, Options &o) {
    for (size_t i = 0; i < args.size(); i++) {
        const std::string &a = args[i];
        bool more = i + 1 < args.size();
        if (a == "--modes" && more) o.modes = args[++i];
        else if (a == "--geometry" && more) {
            o.geo_arg = args[++i];
            if (std::sscanf(o.geo_arg.c_str(), "%u,%u,%u,%u,%u,%u,%u", &o.geo.tlb_sets, &o.geo.tlb_ways,
                            &o.geo.sp_entries, &o.geo.pwc_entries, &o.geo.asid_bits, &o.geo.pa_bits,
                            &o.geo.modes) < 6) {
                std::fprintf(stderr, "cosim: --geometry wants SETS,WAYS,SP,PWC,ASID_BITS,PA_BITS[,MODES]\n");
                return 2;
            }
        } else if (a == "--tb" && more) {
            unsigned idx[4] = {0, 0, 0, 0};
            o.tb_arg = args[++i];
            int n = std::sscanf(o.tb_arg.c_str(), "%u,%u,%u,%u/%u/%u/%u", &o.geo.tb.va_bits,
                                &o.geo.tb.pa_bits, &o.geo.tb.page_bits, &idx[0], &idx[1], &idx[2],
                                &idx[3]);
            if (n < 4) {
                std::fprintf(stderr, "cosim: --tb wants VA,PA,PAGE_BITS,IDX[/IDX...] (root first)\n");
                return 2;
            }
            o.geo.tb.levels = static_cast<unsigned>(n - 3);
            for (unsigned l = 0; l < 4; l++) o.geo.tb.idx_bits[l] = idx[l];
        } else if (a == "--seeds" && more) {
            const std::string &v = args[++i];
            size_t dash = v.find('-');
            unsigned long long f, l;
            if (!whole(v.substr(0, dash), 0, 0xffffffffULL, &f) ||
                !whole(dash == std::string::npos ? v : v.substr(dash + 1), f, 0xffffffffULL, &l))
                return bad_arg("--seeds", v, "wants FIRST or FIRST-LAST, FIRST <= LAST < 2^32");
            o.first = static_cast<unsigned>(f);
            o.last = static_cast<unsigned>(l);
        } else if (a == "--requests" && more) {
            unsigned long long n;
            if (!whole(args[++i], 1, 100000000ULL, &n))
                return bad_arg("--requests", args[i], "wants 1 to 100000000");
            o.requests = static_cast<unsigned>(n);
        } else if (a == "--no-waits") {
            o.waits = false;
        } else if (a == "--no-races") {
            o.races = false;
        } else if (a == "--strict-eval") {
            o.strict_eval = true;
        } else if (a == "--back-to-back") {
            o.back_to_back = true;
        } else if (a == "--break" && more) {   // MMU_BREAKABLE builds
            unsigned long long n;
            if (!COSIM_BREAKABLE)
                return bad_arg("--break", args[++i], "this build has no broken variants "
                               "(build/cosim-broken has them)");
            if (!whole(args[++i], 0, 9, &n))
                return bad_arg("--break", args[i], "wants a variant, 0 (none) to 9");
            o.brk = static_cast<int>(n);
        } else if (a == "--trace-from" && more) {
            unsigned long long n;
            if (!whole(args[++i], 0, ~0ULL - 1, &n))
                return bad_arg("--trace-from", args[i], "wants a clock number");
            o.trace_from = n;
        } else if (a == "--trace" && more) {
            o.trace_file = args[++i];
        } else if (a == "--directed" && more) {
            o.script_file = args[++i];
        } else if (a == "--log" && more) {
            o.log_file = args[++i];
        } else if (a == "--locality" && more) {
            char err[160];
            o.locality = args[++i];
            if (ptgen_locality_parse(o.locality.c_str(), &o.loc, err, sizeof(err))) {
                std::fprintf(stderr, "cosim: %s\n", err);
                return 2;
            }
        } else if (a == "--tables" && more) {
            const std::string &t = args[++i];
            if (t != "sparse" && t != "dense") {
                std::fprintf(stderr, "cosim: --tables takes sparse or dense, not '%s'\n", t.c_str());
                return 2;
            }
            o.dense = t == "dense";
        } else if (a == "--addr-trace" && more) {
            o.addr_trace = args[++i];
        } else if (a == "--cover" && more) {
            o.cover_file = args[++i];
        } else if (a == "--out" && more) {
            o.out_dir = args[++i];
        } else if (a == "--replay" && more) {
            FILE *f = std::fopen(args[++i].c_str(), "r");
            char line[1024];
            if (!f || !std::fgets(line, sizeof(line), f)) {
                std::fprintf(stderr, "cosim: cannot read the reproducer %s\n", args[i].c_str());
                if (f) std::fclose(f);
                return 2;
            }
            std::fclose(f);
            std::vector<std::string> rep;
            for (char *t = std::strtok(line, " \t\r\n"); t; t = std::strtok(nullptr, " \t\r\n"))
                rep.push_back(t);
            int rc = parse(rep, o);
            if (rc) return rc;
        } else {
            std::fprintf(stderr, "usage: cosim [--modes a,b] [--seeds F-L] [--requests N] "
                         "[--geometry ...] [--tb ...] [--break N] [--no-waits] [--no-races] [--strict-eval] [--back-to-back] "
                         "[--locality mix|seq|stride:BYTES|random|zipf[:S]] [--tables sparse|dense] [--out DIR] [--replay FILE] [--trace-from CLOCK] [--trace FILE.fst] [--cover FILE.md] "
                         "[--addr-trace LACKEY|VA-LINES] [--log FILE] [--directed FILE]\n");
            return 2;
        }
    }
    return 0;
}

}  // namespace

int main(int argc, char **argv) {
    Options o;
    mmu_config_default(&o.geo);
    {
        // reproducers go next to this program unless --out says otherwise
        std::string self = argv[0];
        size_t slash = self.rfind('/');
        o.out_dir = slash == std::string::npos ? "." : self.substr(0, slash);
    }
    int prc = parse(std::vector<std::string>(argv + 1, argv + argc), o);
    const mmu_config rtl_geo = build_geometry();
    if (!prc && o.geo_arg.empty()) {   // the build's own geometry
        const auto tb = o.geo.tb;
        o.geo = rtl_geo;
        o.geo.tb = tb;
    }
    if (!prc && o.tb_arg.empty() && rtl_geo.tb.levels) o.geo.tb = rtl_geo.tb;
    if (!prc) prc = check_geometry(o.geo, rtl_geo);
    if (prc) return prc;
#if !VM_TRACE
    if (o.trace_from != ~0ULL)
        std::printf("cosim: this build has no tracing; --trace-from ignored (the default and "
                    "broken builds have it)\n");
#endif
    if (mmu_config_resolve(&o.geo)) {
        std::fprintf(stderr, "cosim: invalid geometry\n");
        return 2;
    }
    if (!o.log_file.empty() && (o.modes.find(',') != std::string::npos || o.first != o.last)) {
        std::fprintf(stderr, "cosim: --log wants one mode and one seed\n");
        return 2;
    }
    if (!o.script_file.empty()) {
        char err[512];
        if (cosim_script_load(o.script_file.c_str(), &o.script, err, sizeof(err))) {
            std::fprintf(stderr, "cosim: %s\n", err);
            return 2;
        }
        o.requests = cosim_script_requests(o.script);
        o.last = o.first;
    }
    if (!o.addr_trace.empty()) {
        char err[512];
        if (cosim_trace_load(o.addr_trace.c_str(), &o.trace, err, sizeof(err))) {
            std::fprintf(stderr, "cosim: %s\n", err);
            return 2;
        }
        // one run per mode: the trace, every access once
        o.requests = static_cast<unsigned>(cosim_trace_len(o.trace));
        o.last = o.first;
        std::printf("cosim: address trace %s: %zu accesses\n", o.addr_trace.c_str(),
                    cosim_trace_len(o.trace));
    }
    unsigned passed = 0, failed = 0;
    size_t pos = 0;
    const std::string &modes = o.modes;
    FILE *cover = nullptr;
    uint64_t verified = 0, clocks = 0;
    auto t0 = std::chrono::steady_clock::now();
    if (!o.cover_file.empty() && !(cover = std::fopen(o.cover_file.c_str(), "a"))) {
        std::fprintf(stderr, "cosim: cannot write %s\n", o.cover_file.c_str());
        return 2;
    }
    while (pos <= modes.size()) {
        size_t comma = modes.find(',', pos);
        std::string name = modes.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        pos = comma == std::string::npos ? modes.size() + 1 : comma + 1;
        int mode = mmu_mode_value(name.c_str());
        if (mode <= 0) {
            std::fprintf(stderr, "cosim: unknown mode '%s'\n", name.c_str());
            return 2;
        }
        Totals t;
        unsigned p = 0;
        for (unsigned s = o.first; s <= o.last; s++) {
            if (run_seed(static_cast<unsigned>(mode), s, o, &t) == 0) p++;
            else failed++;
        }
        passed += p;
        clocks += t.clocks;
        verified += static_cast<uint64_t>(o.requests) * p + t.stream_reqs;  // clean seeds only
        // (requests sent back to back have no latency of their own)
        char lat[32] = "-";
        if (t.lat_max) std::snprintf(lat, sizeof(lat), "%u..%u", t.hit_lat_min, t.lat_max);
        std::printf("cosim %-8s seeds %u-%u: %u/%u clean, %u requests each + %llu streamed, "
                    "%u TLB hits; %u PTE changes (%u not invalidated); latency %s clocks; "
                    "stream %.3f answers/clock, mixed %.3f; %lu answered under a walk (hit-under-miss %s); "
                    "mid-walk invalidations all/asid/va/va+asid %u/%u/%u/%u\n",
                    name.c_str(), o.first, o.last, p, o.last - o.first + 1, o.requests,
                    static_cast<unsigned long long>(t.stream_reqs), t.hits, t.mutations, t.silent,
                    lat,
                    t.stream_cycles ? double(t.tp_reqs) / double(t.stream_cycles) : 0.0,
                    t.mix_cycles ? double(t.mix_reqs) / double(t.mix_cycles) : 0.0, t.cov.out_of_order, COSIM_HUM ? "on" : "off",
                    t.races[0], t.races[1], t.races[2], t.races[3]);
        if (!o.locality.empty() && !o.trace && !o.script)
            std::printf("cosim %-8s locality %s: %.1f%% of the %llu answers TLB hits\n", name.c_str(),
                        o.locality.c_str(),
                        100.0 * t.hits / double(uint64_t(o.requests) * p + t.stream_reqs + !p),
                        static_cast<unsigned long long>(uint64_t(o.requests) * p + t.stream_reqs));
        if (t.burst_reqs)
            std::printf("cosim %-8s back to back: %llu requests in %llu clocks of bursts, %.3f a clock\n",
                        name.c_str(), static_cast<unsigned long long>(t.burst_reqs),
                        static_cast<unsigned long long>(t.burst_cycles),
                        double(t.burst_reqs) / double(t.burst_cycles));
        if (cover) {
            unsigned levels = mode == MMU_MODE_SV32 ? 2 : mode == MMU_MODE_SV39 ? 3 :
                              mode == MMU_MODE_TEXTBOOK ? o.geo.tb.levels : 4;
            write_cover(cover, name.c_str(), static_cast<unsigned>(mode), levels, o, t.cov);
        }
    }
    if (cover) std::fclose(cover);
    double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("lockstep: %llu translations verified in %.2f s: %.0f per second "
                "(%llu clocks, %.0f per second)\n",
                static_cast<unsigned long long>(verified), sec, sec > 0 ? double(verified) / sec : 0.0,
                static_cast<unsigned long long>(clocks), sec > 0 ? double(clocks) / sec : 0.0);
    std::printf("%u passed, %u failed\n", passed, failed);
    cosim_trace_free(o.trace);
    cosim_script_free(o.script);
    return failed ? 1 : 0;
}
