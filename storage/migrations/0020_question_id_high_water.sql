-- Question ids are never handed out twice: staff keep the ticket cards they were sent (a
-- reply or a tap on one names its question id), so after an erasure the next question gets a
-- new id, not the erased owner's. The allocator row holds only the next free id.

INSERT INTO id_allocator (name, next_id)
SELECT 'questions', COALESCE(MAX(id), 0) + 1 FROM questions;
