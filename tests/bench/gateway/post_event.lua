-- wrk script: POSTs realistic Lemlist webhook bodies (shaped like a linkedinInviteAccepted
-- event, ~1.3 KB), each with a distinct `_id`, to /webhooks/lemlist.
--   wrk -t2 -c64 -d10s --latency -s post_event.lua http://127.0.0.1:18080
-- Pacing (wrk2 is not packaged): with RATE=<total req/s> and THREADS=<wrk -t> in the
-- environment, each wrk thread hands out send slots RATE/THREADS per second (LuaJIT ffi
-- clock), and a connection waits for its slot before sending. The offered load is RATE as
-- long as enough connections are idle; wrk's latency excludes the wait, so a response late
-- enough to push later sends back is not counted against them (coordinated omission):
-- check that the achieved rate is the target.

local next_tid = 0
function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
end

local counter = 0
local salt = 0
local interval_ms = 0
local next_slot = 0

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } las_timespec;
  int clock_gettime(int clk_id, las_timespec* tp);
]]
local ts = ffi.new("las_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

function init(args)
  salt = os.time()
  local rate = tonumber(os.getenv("RATE") or "")
  local threads = tonumber(os.getenv("THREADS") or "")
  if rate and threads and rate > 0 then
    interval_ms = 1000 * threads / rate
  end
end

function delay()
  if interval_ms == 0 then return 0 end
  local now = now_ms()
  if next_slot < now then next_slot = now end
  local wait = next_slot - now
  next_slot = next_slot + interval_ms
  return math.floor(wait)
end

local template = [[{"_id":"%s","type":"linkedinInviteAccepted","createdAt":"2025-02-27T14:58:05.000Z",]] ..
  [["isFirst":true,"stopped":false,"bot":false,"teamId":"tea_hSBr4gYQ9J7ALq2P3","leadId":"lea_%s",]] ..
  [["campaignId":"cam_hSZJzm7qCv4Go6sfW","sequenceId":"seq_5ACjKD32KecarG2M3","sequenceStep":1,]] ..
  [["emailTemplateId":"etp_s7da488G9a2RXWpNF","createdBy":"usr_PFnimcvkATCDEgwjJ","sendUserId":"usr_iMkrf5Ax7xP3wo7bY",]] ..
  [["totalSequenceStep":2,"name":"Bauma 2025","sendUserName":"Alex Sender","leadFirstName":"Jonas","leadLastName":"F",]] ..
  [["leadEmail":"jonas.%s@example.com","contactId":"ctc_QfiCFBxSrQ3ED3QQS","relatedSentAt":"2025-01-27T10:03:44.870Z",]] ..
  [["metaData":{"teamId":"tea_hSBr4gYQ9J7ALq2P3","campaignId":"cam_hSZJzm7qCv4Go6sfW","leadId":"lea_%s",]] ..
  [["type":"linkedinInviteAccepted","createdBy":"usr_PFnimcvkATCDEgwjJ","taskId":"tsk_MvRYsxA9ywGYsxAoH"},]] ..
  [["campaignName":"Bauma 2025","firstName":"Jonas","lastName":"F",]] ..
  [["linkedinUrl":"https://www.linkedin.com/in/jonas-example-%s/","occupation":"Leiter Wartung und Instandhaltung",]] ..
  [["labels":"Outreach; Personal","emailTemplateName":"linkedinInvite","secret":"bench-secret"}]]

local headers = { ["Content-Type"] = "application/json" }

function request()
  counter = counter + 1
  local id = string.format("act_bench%d%d%d", salt, tid, counter)
  local body = string.format(template, id, id, id, id, id)
  return wrk.format("POST", "/webhooks/lemlist", headers, body)
end
