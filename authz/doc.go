// Package authz decides whether a caller may perform an operation, for HTTP
// and gRPC servers alike, on the caller's peer SPIFFE ID (mTLS) and verified
// token claims (JWT). It is deny by default with no exception: a request
// that no allow rule matches is denied, an empty policy allows nothing and
// an authorizer without a policy cannot be built.
//
// The happy path loads a policy file, builds an Authorizer and wraps the
// handler (or installs the gRPC interceptors):
//
//	p, err := authz.LoadPolicy("policy.yaml")
//	a, err := authz.New(p, authz.WithLogger(logger))
//	handler = authz.Middleware(a)(handler) // grpc.UnaryInterceptor(authz.UnaryServerInterceptor(a))
//
// Watch reloads the file when it changes; a bad file keeps the last good
// policy in force.
//
// # Policy files
//
// A policy is YAML or JSON, versioned, and strict: unknown fields,
// duplicate keys, wrong types, empty lists and bad values are errors that
// name the rule, the field and the line. A policy is a list of named rules,
// each with an action and up to three parts, from, to and when:
//
//	version: 1
//	rules:
//	  - name: shop-reads-orders
//	    action: allow                # allow, deny or audit
//	    from:
//	      principals: ["spiffe://example.org/ns/shop/*"]
//	    to:
//	      methods: [GET]
//	      paths: ["/v1/orders", "/v1/orders/{id}"]
//	  - name: reports-for-analysts
//	    action: allow
//	    from:
//	      requestPrincipals: ["https://login.example.org/*"]
//	    to:
//	      grpcMethods: ["/reports.v1.Reports/*"]
//	    when:
//	      - claim: scope
//	        values: ["reports:read"]
//	      - claim: groups
//	        notValues: ["suspended"]
//	  - name: no-admin-from-outside-ops
//	    action: deny
//	    from:
//	      notPrincipals: ["spiffe://example.org/ns/ops/*"]
//	    to:
//	      paths: ["/admin/*"]
//
// Fields:
//
//	from.principals, notPrincipals     peer SPIFFE ID: "spiffe://td/path" exact,
//	                                   "spiffe://td/path/*" IDs under that path
//	                                   (not "spiffe://td/path" itself),
//	                                   "spiffe://td" any ID of the trust domain,
//	                                   "*" any authenticated peer
//	from.requestPrincipals, not...     token "issuer/subject", as Istio's;
//	                                   "*" any verified token
//	to.methods, notMethods             HTTP methods, exact and case-sensitive;
//	                                   GET also covers HEAD
//	to.paths, notPaths                 HTTP paths (below)
//	to.grpcMethods, notGrpcMethods     "/pkg.Service/Method", "/pkg.Service/*", "*"
//	to.hosts, notHosts                 Host or :authority without port, any case
//	to.ports, notPorts                 the local port the request arrived on
//	when[].claim / when[].header       with values and/or notValues
//
// String values match as in Istio: "exact", "prefix*", "*suffix", and "*"
// for present and non-empty. SPIFFE ID prefixes must end at a path segment
// boundary ("spiffe://td/ns/*" matches "spiffe://td/ns/a" but neither
// "spiffe://td/nsx" nor "spiffe://td/ns"). Note that this differs from
// mtls.AuthorizeIDPrefix, which also accepts the prefix ID itself: to
// cover "spiffe://td/ns" and everything below it here, list both
// "spiffe://td/ns" and "spiffe://td/ns/*".
//
// A request principal is the token's issuer and subject joined by "/", as
// in Istio, so the same string can come from two issuers: iss
// "https://idp.example.com" with sub "tenants/acme/admin" and iss
// "https://idp.example.com/tenants" with sub "acme/admin" both read
// "https://idp.example.com/tenants/acme/admin". Write the issuer part
// exactly, with a "*" only after the "/" that ends it
// ("https://idp.example.com/*", never "https://idp.example.com*" or
// "*/admin"), and do not trust two issuers where one followed by "/"
// begins the other: a rule for the shorter would then also match tokens
// of the longer.
//
// A GET in methods or notMethods also covers HEAD, as net/http.ServeMux
// routes HEAD requests to GET handlers: a deny rule for GET denies HEAD
// too. Write HEAD alone to name only HEAD.
//
// Conditions compare claims as decoded from JSON: a string claim matches
// when it matches a value; an array claim when one of its elements does;
// the "scope" claim is space-delimited, so it matches when one of its
// scopes does; numbers and booleans compare by their canonical JSON text
// (write values: [3] or [true]). Unquoted numbers and booleans in a
// policy are brought to that form when it is parsed, so True, 0x10, 1.0
// and 1e3 match the claims true, 16, 1 and 1000, and a number claim
// compares as encoding/json writes it (1000, 1.5, 1e+21, 1e-7). Quoted
// values are text and compare as written ("1.0" matches the string claim
// "1.0", not the number 1). Infinities, NaN, integers beyond ±2^53 and
// integers with a leading 0 are errors, since no JSON number compares with
// them exactly. A header condition matches when one of the header's
// values matches; for gRPC, headers are the call's metadata. Host and
// :authority are not headers here (net/http moves Host out of the header
// map); a condition on them is an error: use to.hosts. Only top-level
// claims can be named.
//
// # Evaluation
//
// A rule matches when every field it sets matches (fields AND); a field
// matches when one of its values does (values OR). A not field matches
// when none of its values does. Then: any matching deny rule denies; else
// any matching allow rule allows; else the request is denied. Audit rules
// never decide; the first matching one is named in Decision.Audit and in
// the log. Decision.Rule names the deciding rule, the first in file order.
//
// Absent information never satisfies a positive field: a request without
// a peer matches no principals, one without a token no requestPrincipals
// and no claim values; a gRPC call matches no methods or paths and an HTTP
// request no grpcMethods. A not field is passed by an absent value, as in
// Istio: the deny rule above also denies a caller with no identity at all,
// and an allow rule with only notPrincipals would also allow anonymous
// callers, so pair it with principals: ["*"] to require a peer.
//
// Worked examples against the three rules above:
//
//	peer spiffe://example.org/ns/shop/web, GET /v1/orders/42
//	    → allow, rule shop-reads-orders ({id} matches one segment)
//	same peer, HEAD /v1/orders/42             → allow (GET covers HEAD)
//	same peer, GET /v1/orders/42/items        → deny, no allow rule matched
//	peer spiffe://example.org/ns/shopping/web → deny (not under ns/shop/)
//	no peer, GET /admin                       → deny, rule no-admin-from-outside-ops
//	peer spiffe://example.org/ns/ops/a, GET /admin/users
//	    → deny, no allow rule matched (the deny rule does not match ops,
//	      but nothing allows /admin/users either)
//	token iss https://login.example.org, sub alice, scope "openid reports:read",
//	gRPC /reports.v1.Reports/Get              → allow, rule reports-for-analysts
//	same with groups ["staff","suspended"]    → deny (notValues)
//	same without a scope claim                → deny (claim absent)
//
// # Paths
//
// HTTP paths are matched after normalisation: percent escapes are decoded
// and one trailing slash is ignored ("/admin" and "/admin/" are the same
// path to every rule). A prefix ending in "/" also covers the bare path, so
// "/admin/*" matches "/admin", "/admin/" and everything below. "{name}"
// matches exactly one non-empty segment. Matching is case-sensitive, like
// net/http.ServeMux; servers that route case-insensitively must write rules
// for that. A path that normalisation would otherwise change or that could
// be read two ways is not matched at all: dot segments ("/a/../b",
// "/%2e%2e/"), empty segments ("//a"), encoded "/", "\" or NUL, invalid
// escapes and control characters make Decide return ReasonInvalidRequest
// and Middleware answer 400. NormalizePath exposes the same check.
//
// # Engine
//
// ParsePolicy validates; New only compiles. Rules are indexed by
// operation (exact path or method map, prefix and suffix maps probed once
// per distinct length, a segment trie for templates) and, within an
// operation, by peer SPIFFE ID or token principal, so the cost of Decide
// does not grow with the number of rules that cannot match. Decide does not allocate unless it logs. An
// Authorizer is safe for concurrent use and Swap replaces its policy
// atomically: every decision, including the interceptors' choice of which
// metadata to read, is made by one policy, the old or the new.
//
// # Security defaults
//
//   - Deny by default; an empty policy allows nothing; New(nil) fails.
//   - Denials give 403 "forbidden" or codes.PermissionDenied with no policy
//     detail; ambiguous paths give 400.
//   - Every decision can be logged through a *slog.Logger as a security
//     event (authz_fail, authz_allow, input_validation_fail, authz_change)
//     with peer, subject, operation, rule and reason.
//   - WithDryRun logs decisions without enforcing them, to roll out a
//     policy; it is never the default.
//   - A policy file that cannot be loaded at start is an error; a bad file
//     during a reload leaves the last good policy in force.
package authz
