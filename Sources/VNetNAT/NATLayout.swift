import CNftables
import VNetModel

/// The table vnet wants for a configuration, as the nft JSON objects that create it.
///
///     table ip vnet {
///       set pods      { type ipv4_addr; }                  # pod addresses: one element per pod
///       set pod_stats { type ipv4_addr; counter; }         # same addresses, each with its own counter
///       chain postrouting { type nat hook postrouting priority srcnat; policy accept;
///         ip saddr != @pods return                         # only pods are translated
///         ip daddr { <vnet + no-masquerade ranges> } counter return
///         fib daddr type local counter return              # the node's own addresses
///         counter snat to <node primary address>           # counts SNAT-ed connections
///       }
///       chain accounting { type filter hook postrouting priority srcnat + 10; policy accept;
///         ct status snat ct original ip saddr @pod_stats counter   # per-pod packets/bytes, both directions
///       }
///     }
///
/// Why two sets: the nat chain sees only the first packet of each connection, and a lookup in a set with
/// per-element counters bumps the element's counter. The nat chain's lookup in `pods` must not count; the
/// accounting chain's lookup in `pod_stats` sees every packet of every SNAT-ed connection, replies included.
/// When `snat` is off the table holds the two sets and no chain.
struct NATLayout {
    static let podSet = "pods"
    static let statsSet = "pod_stats"
    static let natChain = "postrouting"
    static let accountingChain = "accounting"

    struct SetSpec { var name: String; var counted: Bool }
    /// A chain; `hook` is nil for a regular chain (one only jumped to). Base chains' policy is accept: vnet
    /// drops only by its rules' verdicts.
    struct ChainSpec {
        struct Hook { var type: String; var hook: String; var priority: Int }
        var name: String
        var hook: Hook?
        init(name: String, type: String, hook: String, priority: Int) {
            self.name = name
            self.hook = Hook(type: type, hook: hook, priority: priority)
        }
        init(regular name: String) {
            self.name = name
            hook = nil
        }
    }
    struct RuleSpec { var chain: String; var comment: String; var expr: [JSONValue] }

    let table: String
    let sets: [SetSpec]
    /// Public IPs and host ports (NATLayout+Translation.swift); present with the chains.
    let maps: [MapSpec]
    let chains: [ChainSpec]
    let rules: [RuleSpec]
    /// The security rules the filter chains enforce, if any: they decide which sets a pod is in.
    let security: SecurityPolicy?

    private static let podSets = [SetSpec(name: podSet, counted: false), SetSpec(name: statsSet, counted: true)]

    /// The parts that do not depend on a configuration: the table and its pod sets. Enough for per-pod
    /// element changes and for deleting the table.
    init(podSetsOf table: String) {
        self.table = table
        security = nil
        sets = Self.podSets
        maps = []
        chains = []
        rules = []
    }

    /// Without `expressions` the security rules are made without their expressions (chain and comment
    /// only): what the per-ADD look, the pod's sets and CHECK need, without compiling every rule.
    init(_ config: NATConfig, expressions: Bool = true) {
        table = config.tableName
        security = config.security
        maps = config.snat ? Self.translationMaps : []
        var sets = Self.podSets
        var chains: [ChainSpec] = []
        var rules: [RuleSpec] = []
        if config.snat { (chains, rules) = Self.translation(config) }
        // After the translation's chains and rules: the per-ADD look compares the kernel's rules with these
        // in this order.
        if let policy = config.security {
            let filtering = SecurityLayout(policy, expressions: expressions)
            sets += filtering.sets
            chains += filtering.chains
            rules += filtering.rules
        }
        self.sets = sets
        self.chains = chains
        self.rules = rules
    }

    /// The translation: the SNAT and accounting chains, and the public IPs' and host ports' DNAT.
    private static func translation(_ config: NATConfig) -> ([ChainSpec], [RuleSpec]) {
        typealias J = NftJSON
        let srcnat = Int(vnet_nf_ip_pri_nat_src())
        let chains = [ChainSpec(name: Self.natChain, type: "nat", hook: "postrouting", priority: srcnat),
                      ChainSpec(name: Self.accountingChain, type: "filter", hook: "postrouting", priority: srcnat + 10)]
            + Self.translationChains()
        let counter = J.object(["counter": .null])
        let verdictReturn = J.object(["return": .null])
        func ipField(_ field: String) -> JSONValue { J.object(["payload": J.object(["protocol": .string("ip"), "field": .string(field)])]) }
        func match(_ op: String, _ left: JSONValue, _ right: JSONValue) -> JSONValue {
            J.object(["match": J.object(["op": .string(op), "left": left, "right": right])])
        }
        var rules = [RuleSpec(chain: Self.natChain, comment: "vnet: only pod addresses are translated",
                              expr: [match("!=", ipField("saddr"), .string("@\(Self.podSet)")), verdictReturn])]
        rules += Self.hairpinRules(config)
        let kept = config.keptRanges
        if !kept.isEmpty {
            let prefixes = kept.map { J.object(["prefix": J.object(["addr": .string("\($0.address)"), "len": J.number($0.length)])]) }
            rules.append(RuleSpec(chain: Self.natChain,
                                  comment: "vnet: pod traffic to the VNet and no-masquerade ranges keeps its address",
                                  expr: [match("==", ipField("daddr"), J.object(["set": .array(prefixes)])), counter, verdictReturn]))
        }
        let fib = J.object(["fib": J.object(["result": .string("type"), "flags": .array([.string("daddr")])])])
        rules.append(RuleSpec(chain: Self.natChain, comment: "vnet: traffic to the node's own addresses keeps its address",
                              expr: [match("==", fib, .string("local")), counter, verdictReturn]))
        rules += Self.publicSourceRules()
        rules.append(RuleSpec(chain: Self.natChain, comment: "vnet: SNAT pod traffic leaving the VNet to \(config.snatAddress)",
                              expr: [counter, J.object(["snat": J.object(["addr": .string("\(config.snatAddress)")])])]))
        let originalSource = J.object(["ct": J.object(["key": .string("ip saddr"), "dir": .string("original")])])
        rules.append(RuleSpec(chain: Self.accountingChain, comment: "vnet: per-pod packets and bytes of SNAT-ed traffic",
                              expr: [match("in", J.object(["ct": J.object(["key": .string("status")])]), .string("snat")),
                                     match("==", originalSource, .string("@\(Self.statsSet)")), counter]))
        rules += Self.destinationRules()
        return (chains, rules)
    }

    private var tableRef: JSONValue { NftJSON.object(["family": .string("ip"), "name": .string(table)]) }

    /// One transaction that replaces the table whatever its state: `add` makes the `delete` safe when the
    /// table is absent, and the new table holds `pods` from the start. Rule counters are carried over from
    /// `previous` by comment; per-element counters restart at zero (nft 1.0.6 ignores element counter
    /// values in JSON input).
    func rebuildCommands(pods: [NATPod], previous: NATListing?) -> [JSONValue] {
        typealias J = NftJSON
        var commands: [JSONValue] = [J.object(["add": J.object(["table": tableRef])]),
                                     J.object(["delete": J.object(["table": tableRef])]),
                                     J.object(["add": J.object(["table": tableRef])])]
        for set in sets {
            let members = pods.filter { sets(holding: $0).contains(set.name) }.map(\.address)
            let elements = JSONValue.array(members.sorted().map { .string("\($0)") })
            var body: [String: JSONValue] = ["family": .string("ip"), "table": .string(table), "name": .string(set.name),
                                             "type": .string("ipv4_addr")]
            if set.counted { body["stmt"] = .array([J.object(["counter": .null])]) }
            if !members.isEmpty { body["elem"] = elements }
            commands.append(J.object(["add": J.object(["set": .object(body)])]))
        }
        commands += mapCommands(pods: pods)
        for chain in chains {
            var body: [String: JSONValue] = ["family": .string("ip"), "table": .string(table), "name": .string(chain.name)]
            if let hook = chain.hook {
                body["type"] = .string(hook.type)
                body["hook"] = .string(hook.hook)
                body["prio"] = J.number(hook.priority)
                body["policy"] = .string("accept")
            }
            commands.append(J.object(["add": J.object(["chain": .object(body)])]))
        }
        for rule in rules {
            var expr = rule.expr
            if let old = previous?.rules(in: rule.chain).first(where: { $0.comment == rule.comment })?.counter,
               let at = expr.firstIndex(where: { $0["counter"] != nil }) {
                expr[at] = J.object(["counter": J.object(["packets": .number(Double(old.packets)),
                                                          "bytes": .number(Double(old.bytes))])])
            }
            commands.append(J.object(["add": J.object(["rule": J.object([
                "family": .string("ip"), "table": .string(table), "chain": .string(rule.chain),
                "comment": .string(rule.comment), "expr": .array(expr)])])]))
        }
        return commands
    }

    /// The sets that hold `pod`'s address: the two pod sets and, with security rules, the pod's filter
    /// sets and those of the rules whose `pods` globs select it.
    func sets(holding pod: NATPod) -> [String] {
        Self.podSets.map(\.name) + (security.map { SecurityLayout.sets(holding: pod, policy: $0) } ?? [])
    }

    /// `verb` ("add" or "delete") of `addresses` in every pod set, as commands for one transaction.
    func elementCommands(_ verb: String, _ addresses: [IPv4Address], sets names: [String]? = nil) -> [JSONValue] {
        guard !addresses.isEmpty else { return [] }
        let elements = JSONValue.array(addresses.sorted().map { .string("\($0)") })
        return (names ?? sets.map(\.name)).map { name in
            NftJSON.object([verb: NftJSON.object(["element": NftJSON.object([
                "family": .string("ip"), "table": .string(table), "name": .string(name), "elem": elements])])])
        }
    }

    func deleteTableCommands() -> [JSONValue] {
        [NftJSON.object(["add": NftJSON.object(["table": tableRef])]),
         NftJSON.object(["delete": NftJSON.object(["table": tableRef])])]
    }
}
