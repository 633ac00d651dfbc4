# tests/test_costs.cmake: read by CTest (a TEST_INCLUDE_FILES entry of each directory with a Catch2
# binary, after its discovered tests) to give the long test cases a COST, their seconds in a GCC
# Debug run. `ctest -j N` starts tests in descending COST order, so the long ones start first and
# the short ones fill the cores at the end; without it, on a clean clone (no CTestCostData.txt yet),
# tests start in the order they were declared, and a long one declared last (the soak) runs alone
# at the end while the other core idles. Only the order changes. Once a build directory has cost
# data (from an earlier ctest run there), CTest uses the measured times instead.
# Each entry: the start of a test's name (binary prefix included), then its cost. A renamed test
# just loses its entry; tests not listed cost 0. RUN_SERIAL tests are not listed: they run alone
# anyway, after the others.
set(_abrplay_test_costs
  "abrplay_soak_tool_tests:a short soak with faults" 16
  "abrplay_engine_tests:low-latency live: a chunked segment that stops arriving" 15
  "abrplay_engine_tests:low-latency live from a server that ignores chunking" 12
  "abrplay_engine_tests:low-latency live on a step-down link" 12
  "abrplay_engine_tests:low-latency live: each segment is requested once" 10
  "abrplay_engine_tests:low-latency live: the ABR is given video's samples only" 9
  "abrplay_player_tool_tests:abrplay --target-latency plays low-latency live" 9
  "abrplay_api_tests:fault matrix: a stalled response hits the stall timeout" 10
  "abrplay_engine_tests:a bad steering server gives a warning" 10
  "abrplay_api_tests:heartbeats arrive on time" 9
  "abrplay_api_tests:fault matrix: a whole CDN dying mid-playback" 8
  "abrplay_api_tests:a collector that answers 500" 8
  "abrplay_player_tool_tests:the summary reports what was played" 8
  "abrplay_player_tool_tests:abrplay --headless counts the seconds played" 5
  "abrplay_engine_tests:live: a jump of the local wall clock" 8
  "abrplay_engine_tests:a steering server that swaps the CDNs" 8
  "abrplay_engine_tests:low-latency live: each CMAF chunk is buffered" 5
  "abrplay_engine_tests:live catch-up: playback speeds up" 4
  "abrplay_engine_tests:live catch-up: beyond the max latency" 3
  "abrplay_sim_tests:abrplay-sim: table, JSON and CSV" 7
  "abrplay_api_tests:fault matrix: recovered faults lose nothing" 6
  "abrplay_abr_tests:ScenarioMPC beats RobustMPC and BB" 6
  "abrplay_abr_tests:Offline optimum: its schedule replays" 6
  "abrplay_engine_tests:real content in every addressing variant" 4
  "abrplay_api_tests:live: the cache is off by default" 4
  "abrplay_api_tests:telemetry: heartbeats and the final report" 3
  "abrplay_engine_tests:live: syncs the clock by UTCTiming" 3
  "abrplay_engine_tests:live with a SegmentTimeline" 3
  "abrplay_origin_tests:a shaped 1.125 MB download" 3
  "abrplay_origin_tests:two concurrent downloads share one CDN" 3
  "abrplay_media_tests:A switch at every segment" 3)

get_cmake_property(_abrplay_vars VARIABLES)
foreach(_abrplay_list IN LISTS _abrplay_vars)
  if(NOT _abrplay_list MATCHES "^abrplay_.*_TESTS$")  # catch_discover_tests' list of a binary's tests
    continue()
  endif()
  foreach(_abrplay_test IN LISTS ${_abrplay_list})
    set(_abrplay_entries ${_abrplay_test_costs})
    while(_abrplay_entries)
      list(POP_FRONT _abrplay_entries _abrplay_start _abrplay_cost)
      string(FIND "${_abrplay_test}" "${_abrplay_start}" _abrplay_at)
      if(_abrplay_at EQUAL 0)
        set_tests_properties("${_abrplay_test}" PROPERTIES COST ${_abrplay_cost})
        break()
      endif()
    endwhile()
  endforeach()
endforeach()
