-- GETs the URL's path on every request, with a bearer token from BENCH_TOKEN.
wrk.method = "GET"
wrk.headers["Accept"] = "application/json"
local token = os.getenv("BENCH_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
