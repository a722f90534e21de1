"""Background jobs: long work (big imports, exports, harvests, reindexing, scheduled upkeep)
run by a worker through Django's Tasks API, with a record its owner follows on /jobs/.

``models`` holds the record (``Job``) and the scheduler's slots (``ScheduleRun``);
``services`` creates, runs, retries and recovers jobs; ``kinds`` says what each kind of job
does (reusing the import, export and harvest services); ``schedule`` enqueues the scheduled
work; ``tasks`` is the one task the worker runs.
"""
