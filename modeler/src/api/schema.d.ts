/**
 * The API's types, generated from its OpenAPI document (/api/docs/openapi.json) by
 * scripts/generate-api-types.mjs with openapi-typescript. Do not edit: change the server's
 * decorators or api/openapi/schemas.ts and run `node scripts/generate-api-types.mjs`.
 */

export interface paths {
    "/api/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Username and password → access token (JWT, Bearer) and refresh token; also sets the itsm_refresh cookie. 401 on bad credentials, 429 when rate-limited. */
        post: operations["AuthController_login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Revoke the refresh token (body or cookie) and clear the cookie. Always 204. */
        post: operations["AuthController_logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The authenticated caller: id, username, roles, groups, source (local or oidc). */
        get: operations["AuthController_me"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Change your own password {currentPassword, newPassword (8+ characters)}; revokes every other session and answers a fresh token pair. */
        post: operations["AuthController_changePassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/auth/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Rotate a refresh token (body refreshToken, or the itsm_refresh cookie) → new token pair. Reusing a rotated token revokes the whole session. */
        post: operations["AuthController_refresh"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/calendars": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every business calendar, by name */
        get: operations["CalendarsController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/calendars/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["CalendarsController_get"];
        /** Create (201) or replace (200) a calendar. Windows are local times in timeZone, end exclusive ("24:00" allowed); holidays are whole local dates. The name comes from the URL. */
        put: operations["CalendarsController_put"];
        post?: never;
        /** Delete a calendar (204). The built-in 24x7 and business-hours calendars answer 409. */
        delete: operations["CalendarsController_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/calendars/{name}/add": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Check a calendar: from (default now) plus an ISO 8601 duration (PT4H = 4 business hours, P2D = 2 business days) → dueAt */
        post: operations["CalendarsController_add"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/decisions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Latest version of every decision (filter with ?key=) */
        get: operations["DecisionsController_list"];
        put?: never;
        /** Deploy a DMN 1.3 file (multipart field `file`, or an application/xml body): each decision becomes the next version of its key. 201 if any version was created, 200 if the file already is the latest version. */
        post: operations["DecisionsController_deploy"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/decisions/{key}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The latest version of a decision, with every version (newest first) */
        get: operations["DecisionsController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/decisions/{key}/evaluate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Test a decision: {variables, version?} → {result, resultList, matchedRules}; nothing is stored */
        post: operations["DecisionsController_evaluate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/decisions/{key}/xml": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The DMN document of the latest version (or ?version=) */
        get: operations["DecisionsController_xml"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/definitions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Latest version of every process key (filter with ?key=) */
        get: operations["DefinitionsController_list"];
        put?: never;
        /** Deploy a BPMN file (multipart, or an application/xml body) with its forms: one multipart request holds one .bpmn file plus any number of .form files (form-js JSON) and .dmn files, under any field names; a part is classified by its file extension, else by its content. 201 new version, 200 identical to latest (same BPMN and same forms). */
        post: operations["DefinitionsController_deploy"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/definitions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["DefinitionsController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/definitions/{id}/activate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Activate a suspended version; the latest version resumes its timer start schedule */
        post: operations["DefinitionsController_activate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/definitions/{id}/forms": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The forms deployed with a version: [{formId, sha256, elementIds, schema}] (start forms included) */
        get: operations["DefinitionsController_formsOf"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/definitions/{id}/suspend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Suspend a version: no new instances, its timer start schedule stops */
        post: operations["DefinitionsController_suspend"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/definitions/{id}/xml": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["DefinitionsController_xml"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/definitions/key/{key}/owners": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The process owners of a key (administrators and auditors) */
        get: operations["DefinitionsController_owners"];
        /** Replace the process owners of a key {usernames}; they see its instances and tasks if they hold the process-owner role */
        put: operations["DefinitionsController_setOwners"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/definitions/key/{key}/versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every version of one process key, newest first */
        get: operations["DefinitionsController_versions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/definitions/validate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Dry run of the deploy validation (the modeler's live lint): an application/xml body is checked with exactly the rules of POST /api/definitions and nothing is stored. 200 {valid, problems, warnings}: problems would refuse the deploy, warnings would not; each names its rule and, when it has one, its element. Any signed-in user (it changes nothing). */
        post: operations["DefinitionsController_validate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/deploy-requests": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Deploy requests and direct draft deployments with their decisions (who, when, reason), newest first; ?state= ?key= ?draftId= */
        get: operations["DeployRequestsController_list"];
        put?: never;
        /** Submit a draft revision for deployment {draftId, revision?, comment} (process owners of its key; one pending request per key) */
        post: operations["DeployRequestsController_submit"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/deploy-requests/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["DeployRequestsController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/deploy-requests/{id}/approve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Approve a pending request {comment?, versionTag?}: deploys its draft revision; the decision commits with the deployment (not your own request) */
        post: operations["DeployRequestsController_approve"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/deploy-requests/{id}/reject": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Reject a pending request {reason} */
        post: operations["DeployRequestsController_reject"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/deploy-requests/{id}/withdraw": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Withdraw your own pending request {reason?} */
        post: operations["DeployRequestsController_withdraw"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/drafts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Drafts (latest revision of each), newest first; ?key= one process key */
        get: operations["DraftsController_list"];
        put?: never;
        /** Save a new draft {bpmn, forms?, decisions?, comment, baseDefinitionId?}: revision 1; its key is the BPMN process id (process owners: keys they own or new keys) */
        post: operations["DraftsController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/drafts/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A draft with its content: the latest revision, or ?revision=n */
        get: operations["DraftsController_get"];
        /** Save a new revision {bpmn, forms, decisions, comment, revision}: `revision` is the one the editor started from (409 if another save came first) */
        put: operations["DraftsController_save"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/drafts/{id}/deploy": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Deploy a draft revision directly (administrators) {revision?, comment?, versionTag?}: recorded as an approved deploy request. `created` false: identical to the latest version, no new version. */
        post: operations["DraftsController_deploy"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/drafts/{id}/revisions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every revision of a draft, newest first: author, time, comment */
        get: operations["DraftsController_revisions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/external-tasks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** External tasks, oldest first (?topicName=&workerId=&locked=&withRetriesLeft=&processInstanceId=&processDefinitionKey=&activityId=&businessKey=&page=&size=) */
        get: operations["ExternalTasksController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/external-tasks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One external task */
        get: operations["ExternalTasksController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/external-tasks/{id}/bpmnError": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Throw a BPMN error {workerId, errorCode, errorMessage, variables} caught by an error boundary event or error event sub-process with that code; 422 PROCESS_FAILED (nothing changes) when nothing catches it. */
        post: operations["ExternalTasksController_bpmnError"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/external-tasks/{id}/complete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Complete the task {workerId, variables, localVariables}; the instance runs on in the same transaction. 409 when the worker does not hold an unexpired lock. */
        post: operations["ExternalTasksController_complete"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/external-tasks/{id}/extendLock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Extend the worker's unexpired lock to now + newDuration ms */
        post: operations["ExternalTasksController_extendLock"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/external-tasks/{id}/failure": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Report a failure {workerId, errorMessage, errorDetails, retries, retryTimeout ms}: fetchable again after retryTimeout; retries 0 opens an incident (an administrator retries it). */
        post: operations["ExternalTasksController_failure"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/external-tasks/{id}/lock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Lock this task {workerId, lockDuration ms} (free, expired or already the worker's); 409 when another worker holds it */
        post: operations["ExternalTasksController_lock"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/external-tasks/{id}/retries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Set the retries {retries}: above 0 resolves the task's incident and makes it fetchable again */
        put: operations["ExternalTasksController_retries"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/external-tasks/{id}/unlock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Release the lock, whoever holds it: fetchable again at once */
        post: operations["ExternalTasksController_unlock"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/external-tasks/fetchAndLock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Lock up to maxTasks available tasks of the topics for workerId (each topic: topicName, lockDuration ms, variables to return, filters); higher priority first with usePriority. With asyncResponseTimeout (ms, up to 30 min) the request waits until a task is available or the time is up (then []). */
        post: operations["ExternalTasksController_fetchAndLock"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/groups": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every group with its members (usernames). Administrators and process owners. */
        get: operations["GroupsController_list"];
        put?: never;
        /** Create a group {name, description?}; 409 when the name (any case) exists. */
        post: operations["GroupsController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/groups/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["GroupsController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/groups/{name}/members": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Add a user {username} to the group (no-op when already a member); answers the group. */
        post: operations["GroupsController_addMember"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/groups/{name}/members/{username}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove a user from the group (no-op when not a member); answers the group. */
        delete: operations["GroupsController_removeMember"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["HealthController_health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/health/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["ProbesController_live"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/health/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["ProbesController_ready"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/history/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Verify every instance against its sealed history, `limit` instances per page after `after` (by id): chain, seals, heads, variables, completed tasks; the first page also checks the sealed instance count. Follow `next` until it is null; `position`/`total` give the progress. */
        get: operations["HistoryController_verify"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/incidents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Timer jobs that failed after their last retry (?status=open|resolved&instanceId=) */
        get: operations["IncidentsController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/incidents/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["IncidentsController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/incidents/{id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resolve the incident and put its job back in line, due now (administrators) */
        post: operations["IncidentsController_retry"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/instances": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The instances the caller may see, newest first, each with the number and title of its record (recordNumber, recordTitle; null: none) */
        get: operations["InstancesController_list"];
        put?: never;
        /** Start an instance of the latest (or given) definition version; runs to its wait states in one transaction */
        post: operations["InstancesController_start"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/instances/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One instance with its record (recordNumber, recordTitle), its open tasks and the instances its call activities started */
        get: operations["InstancesController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/instances/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel a running instance (administrators, process owners of its key) */
        post: operations["InstancesController_cancel"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/instances/{id}/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every history event of the instance, in order */
        get: operations["InstancesController_historyOf"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/instances/{id}/history/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Recompute the hash chain; names the first event that does not match */
        get: operations["InstancesController_verify"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/instances/{id}/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The history for a replay: every event with the element ids holding a token after it and the variables after it (they change where a command committed its variables.changed delta) */
        get: operations["InstancesController_replay"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/instances/{id}/sla/{name}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Pause the SLA clock sla.<name> (awaiting customer/supplier); its timers stop. Administrators, process owners of the key, staff taking part. */
        post: operations["InstancesController_pauseSla"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/instances/{id}/sla/{name}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resume the SLA clock: the target moves by the paused business time and its timers are re-armed */
        post: operations["InstancesController_resumeSla"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/kpis": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** ITSM KPIs over a period (default: the last 30 days), computed from the records (see README "KPIs") */
        get: operations["RecordsController_kpi"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Correlate a message: delivered to every instance waiting for it (name + correlationKey), else starts the definitions whose message start event declares it; 404 when nothing matches, or 202 when buffered for timeToLive */
        post: operations["MessagesController_message"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/records": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The records the caller may see, newest first, with their SLA status */
        get: operations["RecordsController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/records/{number}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A record: its columns and fields, its instance(s), its links both ways and its timeline */
        get: operations["RecordsController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/services": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every registered service handler {name, description, inputs[{name, description, required?, kind?}]}, by name */
        get: operations["ServicesController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/signals": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Broadcast a signal to every waiting signal catch and boundary event and every signal start event; each instance is reached in its own transaction. Answers the instances reached and started; `pending` deliveries failed now and are retried by the poller */
        post: operations["MessagesController_signal"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/subscriptions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Waiting message and signal catches of instances, and message/signal start events of the latest versions (instanceId null), oldest first */
        get: operations["MessagesController_subscriptions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tasks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tasks the caller may see, by priority (high first) then due date unless ?sort=; open tasks unless ?status=. Each names its form (formId) and the record it works on (number, title, state, priority, SLA status and nearest running SLA target), or record: null. */
        get: operations["TasksController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tasks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One task, with its form id and the record it works on */
        get: operations["TasksController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tasks/{id}/assign": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Reassign an open task {assignee} (an existing user, or null to offer it to its candidates again); administrators only. 403 when segregation of duties excludes the assignee. */
        post: operations["TasksController_assign"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tasks/{id}/claim": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Take the task (its assignee or a candidate); 403 when segregation of duties excludes the caller */
        post: operations["TasksController_claim"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tasks/{id}/complete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Complete the task with variables (its assignee or a candidate); the process runs to its next wait states in the same transaction. 409 if already done; 403 when segregation of duties excludes the caller; 422 FORM_VALIDATION_FAILED with errors [{field, message}] when the variables do not satisfy the task's form. */
        post: operations["TasksController_complete"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tasks/{id}/form": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The task's form: {formId, schema (form-js), data (the current values of its fields)}; 404 when the task has no deployed form */
        get: operations["TasksController_form"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tasks/{id}/unclaim": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Give the task back to its candidates (its assignee) */
        post: operations["TasksController_unclaim"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/timers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Pending and failed timer jobs (instance timers and timer start schedules), soonest first */
        get: operations["TimersController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every user (by username), with roles and groups; never a password hash. */
        get: operations["UsersController_list"];
        put?: never;
        /** Create a user {username, displayName?, email?, password? (8+), roles?, groups?, disabled?}; 409 when the username (any case) exists. */
        post: operations["UsersController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get: operations["UsersController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change displayName, email, roles or disabled. Disabling revokes the sessions; the last enabled admin cannot be disabled or demoted (409). */
        patch: operations["UsersController_update"];
        trace?: never;
    };
    "/api/users/{id}/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Set a new password {newPassword} (administrator reset); revokes every session of the user. */
        post: operations["UsersController_resetPassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/deployment": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Camunda 7: deployments (one per process definition version), oldest first unless sortBy/sortOrder */
        get: operations["EngineRestDeploymentController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/deployment/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Camunda 7: one deployment */
        get: operations["EngineRestDeploymentController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/deployment/count": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Camunda 7: the number of deployments matching the filters of GET /engine-rest/deployment */
        get: operations["EngineRestDeploymentController_count"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/deployment/create": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Camunda 7: deploy (multipart; every file in its own part named after the file, as Camunda Modeler sends it). Fields deployment-name, deployment-source, enable-duplicate-filtering, deploy-changed-only; tenant-id is refused (no tenants). One .bpmn file plus any .form and .dmn files. An identical BPMN (and forms) is not deployed again: with duplicate filtering the answer names the existing deployment and deployedProcessDefinitions is null, as in Camunda. */
        post: operations["EngineRestDeploymentController_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/external-task": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Camunda 7: external tasks (of running instances), by creation unless sortBy/sortOrder */
        get: operations["EngineRestExternalTaskController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/external-task/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Camunda 7: one external task */
        get: operations["EngineRestExternalTaskController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/external-task/{id}/bpmnError": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Camunda 7: throw a BPMN error at the task {workerId, errorCode, errorMessage, variables}; an error boundary event or event sub-process catches it by code. 204 */
        post: operations["EngineRestExternalTaskController_bpmnError"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/external-task/{id}/complete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Camunda 7: complete the task {workerId, variables, localVariables} (the lock holder); the instance continues in the same transaction. 204 */
        post: operations["EngineRestExternalTaskController_complete"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/external-task/{id}/extendLock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Camunda 7: extend the lock {workerId, newDuration} (ms from now; only the holder, before it expired). 204 */
        post: operations["EngineRestExternalTaskController_extendLock"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/external-task/{id}/failure": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Camunda 7: report a failure {workerId, errorMessage, errorDetails, retries, retryTimeout, variables, localVariables}; retries 0 opens an incident. 204 */
        post: operations["EngineRestExternalTaskController_failure"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/external-task/{id}/lock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Camunda 7: lock one task by id {workerId, lockDuration} (free, expired, or already the worker's). 204 */
        post: operations["EngineRestExternalTaskController_lock"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/external-task/{id}/retries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Camunda 7: set the retries {retries}; more than 0 resolves the task's incident and makes it fetchable again. 204 */
        put: operations["EngineRestExternalTaskController_retries"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/external-task/{id}/unlock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Camunda 7: release the lock (fetchable again at once). 204 */
        post: operations["EngineRestExternalTaskController_unlock"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/external-task/count": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Camunda 7: the number of external tasks matching the filters of GET /engine-rest/external-task */
        get: operations["EngineRestExternalTaskController_count"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/external-task/fetchAndLock": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Camunda 7: lock up to maxTasks tasks of the topics for workerId {workerId, maxTasks, usePriority, asyncResponseTimeout (long polling, ms), topics: [{topicName, lockDuration, variables, localVariables, businessKey, processDefinitionId(In), processDefinitionKey(In), processDefinitionVersionTag, processVariables, includeExtensionProperties}]} */
        post: operations["EngineRestExternalTaskController_fetchAndLock"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/message": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Camunda 7: correlate a message {messageName, businessKey, correlationKeys (one), processVariables, all, resultEnabled, variablesInResultEnabled}. 204, or 200 with the results when resultEnabled; 400 MismatchingMessageCorrelationException when nothing waits for it and no start event declares it */
        post: operations["EngineRestMessageController_message"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/process-definition": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Camunda 7: process definitions (every version), by key then version unless sortBy/sortOrder */
        get: operations["EngineRestProcessDefinitionController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/process-definition/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Camunda 7: one process definition version */
        get: operations["EngineRestProcessDefinitionController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/process-definition/{id}/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Camunda 7: start an instance of this version {businessKey, variables, withVariablesInReturn} (what Camunda Modeler's "Start instance" sends) */
        post: operations["EngineRestProcessDefinitionController_startById"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/process-definition/{id}/xml": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Camunda 7: the BPMN XML of a version, as {id, bpmn20Xml} */
        get: operations["EngineRestProcessDefinitionController_xml"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/process-definition/count": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Camunda 7: the number of process definitions matching the filters of GET /engine-rest/process-definition */
        get: operations["EngineRestProcessDefinitionController_count"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/process-definition/key/{key}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Camunda 7: the latest version of a key */
        get: operations["EngineRestProcessDefinitionController_byKey"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/process-definition/key/{key}/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Camunda 7: start an instance of the latest version of a key {businessKey, variables, withVariablesInReturn}; it runs to its first wait states in one transaction */
        post: operations["EngineRestProcessDefinitionController_startByKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/process-definition/key/{key}/xml": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Camunda 7: the BPMN XML of the latest version of a key, as {id, bpmn20Xml} */
        get: operations["EngineRestProcessDefinitionController_xmlByKey"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/process-instance": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Camunda 7: running process instances the caller may see, oldest first unless sortBy/sortOrder */
        get: operations["EngineRestProcessInstanceController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/process-instance/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Camunda 7: one running instance */
        get: operations["EngineRestProcessInstanceController_get"];
        put?: never;
        post?: never;
        /** Camunda 7: cancel a running instance (administrators, process owners of its key); 204. failIfNotExists=false: an unknown or ended instance is a 204 too */
        delete: operations["EngineRestProcessInstanceController_delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/process-instance/{id}/variables": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Camunda 7: the variables of a running instance, {name: {type, value, valueInfo}} */
        get: operations["EngineRestProcessInstanceController_variables"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/process-instance/count": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Camunda 7: the number of running instances matching the filters of GET /engine-rest/process-instance */
        get: operations["EngineRestProcessInstanceController_count"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/signal": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Camunda 7: broadcast a signal {name, variables} to every waiting signal event and signal start event; 204 */
        post: operations["EngineRestMessageController_signal"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/task": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Camunda 7: open tasks the caller may see, oldest first unless sortBy/sortOrder. Candidate filters find unassigned tasks unless includeAssignedTasks=true */
        get: operations["EngineRestTaskController_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/task/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Camunda 7: one open task */
        get: operations["EngineRestTaskController_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/task/{id}/claim": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Camunda 7: claim the task {userId} for the caller (userId must be the caller: administrators reassign through POST /api/tasks/:id/assign); 204 */
        post: operations["EngineRestTaskController_claim"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/task/{id}/complete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Camunda 7: complete the task {variables, withVariablesInReturn}; the process runs to its next wait states in the same transaction. 204, or 200 with the variables */
        post: operations["EngineRestTaskController_complete"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/task/{id}/form-variables": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Camunda 7: the task's form fields with their current values (all process variables when the task has no deployed form) */
        get: operations["EngineRestTaskController_formVariables"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/task/{id}/submit-form": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Camunda 7: submit the task form {variables, withVariablesInReturn}: the same as complete (the form's validation applies to both) */
        post: operations["EngineRestTaskController_submitForm"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/task/{id}/unclaim": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Camunda 7: give the task back to its candidates (its assignee); 204 */
        post: operations["EngineRestTaskController_unclaim"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/task/{id}/variables": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Camunda 7: the variables visible from the task (its instance's variables) */
        get: operations["EngineRestTaskController_variables"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/task/count": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Camunda 7: the number of open tasks matching the filters of GET /engine-rest/task */
        get: operations["EngineRestTaskController_count"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/engine-rest/version": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Camunda 7: the REST API version this server is compatible with (a subset: see the README) */
        get: operations["EngineRestDeploymentController_version"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        ChainVerdict: {
            /** @description events checked */
            checked: number;
            firstInvalid: {
                reason: string;
                seq: number;
            } | null;
            firstInvalidEvent: components["schemas"]["HistoryEvent"] | null;
            valid: boolean;
        };
        Definition: {
            /** @description deploy answers only: false when identical to the latest version */
            created?: boolean;
            /** Format: date-time */
            deployedAt: string;
            deployedBy: string | null;
            /** Format: uuid */
            id: string;
            key: string;
            name: string | null;
            sha256: string;
            /** @enum {string} */
            state: "active" | "suspended";
            version: number;
            versionTag: string | null;
            warnings: {
                elementId?: string;
                message: string;
                rule: string;
            }[];
        };
        DefinitionForm: {
            /** @description the user tasks and start events bound to it */
            elementIds: string[];
            formId: string;
            /** @description the form-js schema */
            schema: {
                [key: string]: unknown;
            };
            sha256: string;
        };
        DefinitionOwners: {
            key: string;
            owners: {
                displayName: string | null;
                /** @description false: the user lacks the process-owner role, so owning has no effect */
                processOwner: boolean;
                username: string;
            }[];
        };
        DeployOutcome: {
            /** @description false when the content was identical to the latest version: no new version */
            created: boolean;
            definition: components["schemas"]["Definition"];
            request: components["schemas"]["DeployRequest"];
        };
        DeployRequest: {
            comment: string;
            created: boolean | null;
            /** Format: date-time */
            decidedAt: string | null;
            decidedBy: string | null;
            /** @description the version the approval deployed (or found identical, `created` false) */
            definitionId: string | null;
            definitionVersion: number | null;
            /** Format: uuid */
            draftId: string;
            draftRevision: number;
            /** Format: uuid */
            id: string;
            key: string;
            /**
             * @description request: submitted by a process owner; direct: deployed by an administrator without a request
             * @enum {string}
             */
            kind: "request" | "direct";
            /** @description why it was rejected or withdrawn (or the approver's note) */
            reason: string | null;
            /** @enum {string} */
            state: "pending" | "approved" | "rejected" | "withdrawn";
            /** Format: date-time */
            submittedAt: string;
            submittedBy: string;
        };
        DraftDetail: components["schemas"]["DraftSummary"] & {
            author: string;
            bpmn: string;
            decisions: {
                content: string;
                name: string;
            }[];
            forms: {
                content: string;
                name: string;
            }[];
            revisionComment: string;
            /** Format: date-time */
            savedAt: string;
            sha256: string;
            /** @description the revision shown (the latest unless ?revision= asked for another) */
            shownRevision: number;
        };
        DraftRevision: {
            author: string;
            comment: string;
            revision: number;
            /** Format: date-time */
            savedAt: string;
            sha256: string;
        };
        DraftSummary: {
            /** @description the deployed version the draft started from, if any */
            baseDefinitionId: string | null;
            baseVersion: number | null;
            /** @description the comment of the latest revision */
            comment: string;
            /** Format: date-time */
            createdAt: string;
            createdBy: string;
            decisionCount: number;
            formCount: number;
            /** Format: uuid */
            id: string;
            key: string;
            name: string | null;
            /** @description the open deploy request of this draft, if any */
            pendingRequestId: string | null;
            /** @description the latest revision (every save appends one) */
            revision: number;
            /** Format: date-time */
            updatedAt: string;
            updatedBy: string;
        };
        ExternalTask: {
            activityId: string;
            activityInstanceId: string;
            activityType: string;
            businessKey: string | null;
            /** Format: date-time */
            createdAt: string;
            errorMessage: string | null;
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            incidentId: string | null;
            /**
             * Format: date-time
             * @description null when unlocked; a past time means the lock expired
             */
            lockExpirationTime: string | null;
            priority: number;
            /** Format: uuid */
            processDefinitionId: string;
            processDefinitionKey: string;
            processDefinitionVersion: number;
            /** Format: uuid */
            processInstanceId: string;
            /** @description retries left as the last failure reported them; null before the first failure */
            retries: number | null;
            /**
             * Format: date-time
             * @description not fetchable before this time (a failure's retryTimeout)
             */
            retryAt: string | null;
            /** @description retries reached 0: an incident is open and the task is not fetchable */
            suspended: boolean;
            topicName: string;
            /** @description the worker holding (or that last held) the lock */
            workerId: string | null;
        };
        ExternalTaskCommandResult: {
            instance: {
                /** Format: uuid */
                id: string;
                revision: number;
                /** @enum {string} */
                status: "running" | "completed" | "cancelled" | "failed";
            };
            /** @description null when the command removed the task (complete, bpmnError) */
            task: components["schemas"]["ExternalTask"] | null;
        };
        Group: {
            /** Format: date-time */
            createdAt: string;
            description: string | null;
            /** Format: uuid */
            id: string;
            members: string[];
            name: string;
        };
        HistoryEvent: {
            actor: string | null;
            elementId: string | null;
            elementType: string | null;
            executionId: string | null;
            /** @description sha256 over every other field (canonical JSON) */
            hash: string;
            /** Format: uuid */
            instanceId: string;
            /** Format: date-time */
            occurredAt: string;
            payload: {
                [key: string]: unknown;
            } | null;
            prevHash: string | null;
            /** @description 1, 2, 3 ... per instance, without gaps */
            seq: number;
            /** @example element.completed */
            type: string;
        };
        Incident: {
            attempts: number;
            /** Format: date-time */
            createdAt: string;
            definitionId: string;
            elementId: string | null;
            /** Format: uuid */
            id: string;
            instanceId: string | null;
            jobId: string | null;
            message: string;
            /** Format: date-time */
            resolvedAt: string | null;
            resolvedBy: string | null;
            /** @enum {string} */
            status: "open" | "resolved";
            /** @enum {string} */
            type: "timer-failed" | "service-failed" | "external-task-failed";
        };
        Instance: {
            activeElementIds: string[];
            businessKey: string | null;
            /** Format: uuid */
            definitionId: string;
            definitionKey: string;
            definitionVersion: number;
            /** Format: date-time */
            endedAt: string | null;
            endReason: string | null;
            /** Format: uuid */
            id: string;
            parentElementId?: string | null;
            parentExecutionId?: string | null;
            parentInstanceId?: string | null;
            revision: number;
            rootInstanceId?: string | null;
            /** Format: date-time */
            startedAt: string;
            startedBy: string | null;
            /** @enum {string} */
            status: "running" | "completed" | "cancelled" | "failed";
            variables: {
                [key: string]: unknown;
            };
        };
        InstanceDetail: components["schemas"]["InstanceListItem"] & {
            /** @description instances its call activities started (those the caller may see), oldest first */
            children: {
                businessKey: string | null;
                definitionKey: string;
                definitionVersion: number;
                /** Format: date-time */
                endedAt: string | null;
                id: string;
                parentElementId: string | null;
                parentExecutionId: string | null;
                /** Format: date-time */
                startedAt: string;
                status: string;
            }[];
            openTasks: components["schemas"]["Task"][];
        };
        InstanceListItem: components["schemas"]["Instance"] & {
            /** @description the record of the instance, else of its root instance; null: none */
            recordNumber: string | null;
            recordTitle: string | null;
        };
        InstanceResult: {
            instance: components["schemas"]["Instance"];
            /** @description the open tasks after the command */
            tasks: components["schemas"]["Task"][];
        };
        KpiReport: {
            change?: {
                closed: number;
                emergency: {
                    count: number;
                    /** @description percentage, 2 decimals; null when total is 0 */
                    pct: number | null;
                    total: number;
                };
                reviewCompleted: {
                    count: number;
                    /** @description percentage, 2 decimals; null when total is 0 */
                    pct: number | null;
                    total: number;
                };
                successRate: {
                    count: number;
                    /** @description percentage, 2 decimals; null when total is 0 */
                    pct: number | null;
                    total: number;
                };
            };
            /** Format: date-time */
            from: string;
            incident?: {
                backlog: {
                    ">7d": number;
                    "0-2d": number;
                    "3-7d": number;
                    total: number;
                };
                byPriority: {
                    /** @description mean time to acknowledge, ms */
                    mttaMs: number | null;
                    /** @description mean time to resolve, ms */
                    mttrMs: number | null;
                    opened: number;
                    priority: string | null;
                    resolutionMet: {
                        count: number;
                        /** @description percentage, 2 decimals; null when total is 0 */
                        pct: number | null;
                        total: number;
                    };
                    responseMet: {
                        count: number;
                        /** @description percentage, 2 decimals; null when total is 0 */
                        pct: number | null;
                        total: number;
                    };
                }[];
                /** @description mean time to acknowledge, ms */
                mttaMs: number | null;
                /** @description mean time to resolve, ms */
                mttrMs: number | null;
                opened: number;
                priority: string | null;
                reopenRate: {
                    count: number;
                    /** @description percentage, 2 decimals; null when total is 0 */
                    pct: number | null;
                    total: number;
                };
                resolutionMet: {
                    count: number;
                    /** @description percentage, 2 decimals; null when total is 0 */
                    pct: number | null;
                    total: number;
                };
                responseMet: {
                    count: number;
                    /** @description percentage, 2 decimals; null when total is 0 */
                    pct: number | null;
                    total: number;
                };
            };
            nc?: {
                avgClosureMs: number | null;
                closed: number;
                effectiveAtFirstCheck: {
                    count: number;
                    /** @description percentage, 2 decimals; null when total is 0 */
                    pct: number | null;
                    total: number;
                };
            };
            problem?: {
                opened: number;
                rcaOnTime: {
                    count: number;
                    /** @description percentage, 2 decimals; null when total is 0 */
                    pct: number | null;
                    total: number;
                };
            };
            request?: {
                fulfilledWithinTarget: {
                    count: number;
                    /** @description percentage, 2 decimals; null when total is 0 */
                    pct: number | null;
                    total: number;
                };
                opened: number;
            };
            /** Format: date-time */
            to: string;
        };
        LockedExternalTask: components["schemas"]["ExternalTask"] & {
            errorDetails?: string | null;
            /** Format: date-time */
            lockExpirationTime: string;
            /** @description process variables and the task's local variables (input parameters), as the topic asked */
            variables: {
                [key: string]: unknown;
            };
            workerId: string;
        };
        Problem: {
            /** @description stable error code */
            code: string;
            /** @description what is wrong */
            detail: string;
            instance?: string;
            problems?: {
                elementId?: string;
                message: string;
                rule: string;
            }[];
            /** @description id of the request in the server log (the X-Request-Id answer header) */
            requestId?: string;
            status: number;
            title: string;
            type: string;
        };
        RecordDetail: components["schemas"]["RecordSummary"] & {
            fields: {
                [key: string]: unknown;
            };
            instances: {
                definitionKey: string;
                definitionVersion: number;
                /** Format: date-time */
                endedAt: string | null;
                id: string;
                parentInstanceId: string | null;
                /** Format: date-time */
                startedAt: string;
                status: string;
            }[];
            links: {
                /** Format: date-time */
                createdAt: string;
                createdBy: string | null;
                /**
                 * @description outgoing: this record → number; incoming: number → this record
                 * @enum {string}
                 */
                direction: "outgoing" | "incoming";
                kind: string;
                number: string;
                state: string;
                title: string | null;
                type: string;
            }[];
            timeline: components["schemas"]["HistoryEvent"][];
        };
        RecordSummary: {
            /** Format: date-time */
            acknowledgedAt: string | null;
            assignee: string | null;
            /** Format: date-time */
            closedAt: string | null;
            definitionKey: string;
            instanceId: string;
            number: string;
            /** Format: date-time */
            openedAt: string;
            openedBy: string | null;
            priority: string | null;
            /** Format: date-time */
            resolvedAt: string | null;
            sla: {
                paused: boolean;
                /** Format: date-time */
                resolutionDueAt: string | null;
                resolutionMet: boolean | null;
                /** Format: date-time */
                responseDueAt: string | null;
                responseMet: boolean | null;
                /** @enum {string|null} */
                status: "on track" | "at risk" | "breached" | "paused" | null;
            };
            state: string;
            title: string | null;
            type: string;
            /** Format: date-time */
            updatedAt: string;
        };
        Replay: {
            /** @description the replayed variables after the last event equal the instance’s stored variables */
            consistent: boolean;
            instance: components["schemas"]["Instance"];
            steps: components["schemas"]["ReplayStep"][];
        };
        ReplayStep: {
            /** @description variables this event set, changed or removed */
            changed: string[];
            event: components["schemas"]["HistoryEvent"];
            /** @description element ids holding a token after this event */
            tokens: string[];
            /** @description every variable after this event; only where `changed` is not empty (and on the first step) */
            variables?: {
                [key: string]: unknown;
            };
        };
        Task: {
            assignee: string | null;
            candidateGroups: string[];
            candidateUsers: string[];
            /** Format: date-time */
            completedAt: string | null;
            completedBy: string | null;
            /** Format: date-time */
            createdAt: string;
            definitionKey: string;
            /** Format: date-time */
            dueAt: string | null;
            elementId: string;
            executionId: string;
            /** Format: date-time */
            followUpAt: string | null;
            formKey: string | null;
            /** Format: uuid */
            id: string;
            /** Format: uuid */
            instanceId: string;
            name: string | null;
            priority: number;
            /** @enum {string} */
            status: "open" | "completed" | "cancelled";
            submitted: {
                [key: string]: unknown;
            } | null;
        };
        TaskForm: {
            /** @description the current process variables restricted to the form's field keys */
            data: {
                [key: string]: unknown;
            };
            formId: string;
            /** @description the form-js schema as deployed with the task's definition version */
            schema: {
                [key: string]: unknown;
            };
        };
        TaskView: components["schemas"]["Task"] & {
            formId: string | null;
            /** @description the record the task works on (its instance's, else its root instance's); null: none */
            record: {
                number: string;
                priority: string | null;
                sla: {
                    /**
                     * Format: date-time
                     * @description the nearest running SLA target (response until acknowledged, then resolution); null when none runs
                     */
                    dueAt: string | null;
                    paused: boolean;
                    /** Format: date-time */
                    resolutionDueAt: string | null;
                    /** Format: date-time */
                    responseDueAt: string | null;
                    /** @enum {string|null} */
                    status: "on track" | "at risk" | "breached" | "paused" | null;
                };
                state: string;
                title: string | null;
                type: string;
            } | null;
        };
        TimerJob: {
            attempts: number;
            /** Format: date-time */
            createdAt: string;
            definitionId: string;
            definitionKey: string;
            /** Format: date-time */
            dueAt: string | null;
            elementId: string;
            elementType: string | null;
            executionId: string | null;
            /** Format: uuid */
            id: string;
            instanceId: string | null;
            /** @enum {string} */
            kind: "instance" | "start";
            lastError: string | null;
            lockedBy: string | null;
            /** Format: date-time */
            lockExpiresAt: string | null;
            remaining: number | null;
            /** Format: date-time */
            runAt: string | null;
            spec: string | null;
            /** @enum {string} */
            status: "pending" | "failed";
        };
        User: {
            /** Format: date-time */
            createdAt: string;
            disabled: boolean;
            displayName: string | null;
            email: string | null;
            groups: string[];
            hasPassword: boolean;
            /** Format: uuid */
            id: string;
            /** Format: date-time */
            passwordChangedAt: string | null;
            roles: ("admin" | "process-owner" | "staff" | "auditor" | "worker")[];
            /** Format: date-time */
            updatedAt: string;
            username: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    AuthController_login: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    AuthController_logout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    AuthController_me: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    AuthController_changePassword: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    AuthController_refresh: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    CalendarsController_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    CalendarsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    CalendarsController_put: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    CalendarsController_delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    CalendarsController_add: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    DecisionsController_list: {
        parameters: {
            query?: {
                key?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    DecisionsController_deploy: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/xml": {
                    /** Format: binary */
                    file?: string;
                };
                "multipart/form-data": {
                    /** Format: binary */
                    file?: string;
                };
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    DecisionsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    DecisionsController_evaluate: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                key: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    DecisionsController_xml: {
        parameters: {
            query?: {
                version?: string;
            };
            header?: never;
            path: {
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    DefinitionsController_list: {
        parameters: {
            query?: {
                key?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Definition"][];
                };
            };
        };
    };
    DefinitionsController_deploy: {
        parameters: {
            query?: {
                versionTag?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/xml": {
                    /** Format: binary */
                    file?: string;
                    forms?: string[];
                    versionTag?: string;
                };
                "multipart/form-data": {
                    /** Format: binary */
                    file?: string;
                    forms?: string[];
                    versionTag?: string;
                };
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    DefinitionsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Definition"];
                };
            };
        };
    };
    DefinitionsController_activate: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Definition"];
                };
            };
        };
    };
    DefinitionsController_formsOf: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DefinitionForm"][];
                };
            };
        };
    };
    DefinitionsController_suspend: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Definition"];
                };
            };
        };
    };
    DefinitionsController_xml: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    DefinitionsController_owners: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DefinitionOwners"];
                };
            };
        };
    };
    DefinitionsController_setOwners: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                key: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DefinitionOwners"];
                };
            };
        };
    };
    DefinitionsController_versions: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Definition"][];
                };
            };
        };
    };
    DefinitionsController_validate: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    DeployRequestsController_list: {
        parameters: {
            query?: {
                draftId?: unknown;
                key?: unknown;
                state?: "pending" | "approved" | "rejected" | "withdrawn";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeployRequest"][];
                };
            };
        };
    };
    DeployRequestsController_submit: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeployRequest"];
                };
            };
        };
    };
    DeployRequestsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeployRequest"];
                };
            };
        };
    };
    DeployRequestsController_approve: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeployOutcome"];
                };
            };
        };
    };
    DeployRequestsController_reject: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeployRequest"];
                };
            };
        };
    };
    DeployRequestsController_withdraw: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeployRequest"];
                };
            };
        };
    };
    DraftsController_list: {
        parameters: {
            query?: {
                key?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DraftSummary"][];
                };
            };
        };
    };
    DraftsController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DraftDetail"];
                };
            };
        };
    };
    DraftsController_get: {
        parameters: {
            query?: {
                revision?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DraftDetail"];
                };
            };
        };
    };
    DraftsController_save: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DraftDetail"];
                };
            };
        };
    };
    DraftsController_deploy: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description identical to the latest version: no new version */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeployOutcome"];
                };
            };
            /** @description a new version */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeployOutcome"];
                };
            };
        };
    };
    DraftsController_revisions: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DraftRevision"][];
                };
            };
        };
    };
    ExternalTasksController_list: {
        parameters: {
            query?: {
                activityId?: unknown;
                businessKey?: unknown;
                locked?: "true" | "false";
                page?: unknown;
                processDefinitionKey?: unknown;
                processInstanceId?: unknown;
                size?: unknown;
                topicName?: unknown;
                withRetriesLeft?: "true" | "false";
                workerId?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["ExternalTask"][];
                        page: number;
                        size: number;
                        total: number;
                    };
                };
            };
        };
    };
    ExternalTasksController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExternalTask"];
                };
            };
        };
    };
    ExternalTasksController_bpmnError: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExternalTaskCommandResult"];
                };
            };
        };
    };
    ExternalTasksController_complete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExternalTaskCommandResult"];
                };
            };
        };
    };
    ExternalTasksController_extendLock: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExternalTask"];
                };
            };
        };
    };
    ExternalTasksController_failure: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExternalTaskCommandResult"];
                };
            };
        };
    };
    ExternalTasksController_lock: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExternalTask"];
                };
            };
        };
    };
    ExternalTasksController_retries: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExternalTask"];
                };
            };
        };
    };
    ExternalTasksController_unlock: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExternalTask"];
                };
            };
        };
    };
    ExternalTasksController_fetchAndLock: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LockedExternalTask"][];
                };
            };
        };
    };
    GroupsController_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Group"][];
                };
            };
        };
    };
    GroupsController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Group"];
                };
            };
        };
    };
    GroupsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Group"];
                };
            };
        };
    };
    GroupsController_addMember: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Group"];
                };
            };
        };
    };
    GroupsController_removeMember: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                username: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Group"];
                };
            };
        };
    };
    HealthController_health: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    ProbesController_live: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the process is up */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        details: {
                            [key: string]: {
                                message?: string;
                                /** @enum {string} */
                                status: "up" | "down";
                            } & {
                                [key: string]: unknown;
                            };
                        };
                        error: {
                            [key: string]: {
                                message?: string;
                                /** @enum {string} */
                                status: "up" | "down";
                            } & {
                                [key: string]: unknown;
                            };
                        };
                        info: {
                            [key: string]: {
                                message?: string;
                                /** @enum {string} */
                                status: "up" | "down";
                            } & {
                                [key: string]: unknown;
                            };
                        };
                        /** @enum {string} */
                        status: "ok" | "error";
                    };
                };
            };
        };
    };
    ProbesController_ready: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description ready to serve */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        details: {
                            [key: string]: {
                                message?: string;
                                /** @enum {string} */
                                status: "up" | "down";
                            } & {
                                [key: string]: unknown;
                            };
                        };
                        error: {
                            [key: string]: {
                                message?: string;
                                /** @enum {string} */
                                status: "up" | "down";
                            } & {
                                [key: string]: unknown;
                            };
                        };
                        info: {
                            [key: string]: {
                                message?: string;
                                /** @enum {string} */
                                status: "up" | "down";
                            } & {
                                [key: string]: unknown;
                            };
                        };
                        /** @enum {string} */
                        status: "ok" | "error";
                    };
                };
            };
            /** @description not ready: problem+json, code NOT_READY, the checks under `checks` */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    HistoryController_verify: {
        parameters: {
            query?: {
                /** @description the `next` of the previous page */
                after?: unknown;
                /** @description instances per page, 1-1000 (default 100) */
                limit?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    IncidentsController_list: {
        parameters: {
            query?: {
                instanceId?: unknown;
                status?: "open" | "resolved";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Incident"][];
                        page: number;
                        size: number;
                        total: number;
                    };
                };
            };
        };
    };
    IncidentsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Incident"];
                };
            };
        };
    };
    IncidentsController_retry: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Incident"];
                };
            };
        };
    };
    InstancesController_list: {
        parameters: {
            query?: {
                /** @description instances with a task assigned to or completed by this user */
                assignee?: unknown;
                businessKey?: unknown;
                /** @description true: only called (child) instances; false: only top-level ones */
                called?: "true" | "false";
                key?: unknown;
                page?: unknown;
                /** @description only the instances that call activities of this instance started */
                parentInstanceId?: unknown;
                /** @description the instances working on this record (its own, or the called processes of its instance) */
                recordNumber?: unknown;
                size?: unknown;
                startedBy?: unknown;
                /** @description started at or after (ISO date or date-time) */
                startedFrom?: unknown;
                /** @description started before (ISO date or date-time) */
                startedTo?: unknown;
                status?: "running" | "completed" | "cancelled" | "failed";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["InstanceListItem"][];
                        page: number;
                        size: number;
                        /** @description matches, counted up to 1000 */
                        total: number;
                        /** @description true: more than 1000 match (total is then 1000) */
                        totalCapped: boolean;
                    };
                };
            };
        };
    };
    InstancesController_start: {
        parameters: {
            query?: never;
            header: {
                "idempotency-key": string;
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InstanceResult"];
                };
            };
        };
    };
    InstancesController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InstanceDetail"];
                };
            };
        };
    };
    InstancesController_cancel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    InstancesController_historyOf: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HistoryEvent"][];
                };
            };
        };
    };
    InstancesController_verify: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChainVerdict"];
                };
            };
        };
    };
    InstancesController_replay: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Replay"];
                };
            };
        };
    };
    InstancesController_pauseSla: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    InstancesController_resumeSla: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    RecordsController_kpi: {
        parameters: {
            query?: {
                flow?: "incident" | "request" | "problem" | "change" | "slr" | "bct" | "audit" | "nc";
                from?: unknown;
                to?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["KpiReport"];
                };
            };
        };
    };
    MessagesController_message: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    RecordsController_list: {
        parameters: {
            query?: {
                assignee?: unknown;
                /** @description true: not closed; false: closed */
                open?: "true" | "false";
                /** @description opened at or after (ISO date or date-time) */
                openedFrom?: unknown;
                /** @description opened before (ISO date or date-time) */
                openedTo?: unknown;
                page?: unknown;
                priority?: unknown;
                /** @description searches the number and the title (case-insensitive, substring) */
                q?: unknown;
                size?: unknown;
                sla?: "breached" | "at risk" | "on track" | "paused";
                state?: unknown;
                type?: "incident" | "request" | "problem" | "change" | "slr" | "bct" | "audit" | "nc";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["RecordSummary"][];
                        page: number;
                        size: number;
                        /** @description matches, counted up to 1000 */
                        total: number;
                        /** @description true: more than 1000 match (total is then 1000) */
                        totalCapped: boolean;
                    };
                };
            };
        };
    };
    RecordsController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                number: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RecordDetail"];
                };
            };
        };
    };
    ServicesController_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    MessagesController_signal: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    MessagesController_subscriptions: {
        parameters: {
            query?: {
                definitionKey?: unknown;
                instanceId?: unknown;
                kind?: "message" | "signal";
                name?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    TasksController_list: {
        parameters: {
            query?: {
                assignee?: unknown;
                candidateGroup?: unknown;
                candidateUser?: unknown;
                definitionKey?: unknown;
                instanceId?: unknown;
                /** @description only tasks past their due date (else their record's running SLA target) */
                overdue?: "true" | "false";
                page?: unknown;
                /** @description substring of the task name, record number or record title */
                q?: unknown;
                /** @description assigned: the caller's; groups: unassigned, offered to the caller or their groups */
                scope?: "assigned" | "groups";
                size?: unknown;
                sort?: "priority" | "due" | "record" | "created";
                status?: "open" | "completed" | "cancelled";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["TaskView"][];
                        page: number;
                        size: number;
                        /** @description matches, counted up to 1000 */
                        total: number;
                        /** @description true: more than 1000 match (total is then 1000) */
                        totalCapped: boolean;
                    };
                };
            };
        };
    };
    TasksController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TaskView"];
                };
            };
        };
    };
    TasksController_assign: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
        };
    };
    TasksController_claim: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
        };
    };
    TasksController_complete: {
        parameters: {
            query?: never;
            header: {
                "idempotency-key": string;
                "Idempotency-Key"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InstanceResult"];
                };
            };
        };
    };
    TasksController_form: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TaskForm"];
                };
            };
        };
    };
    TasksController_unclaim: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Task"];
                };
            };
        };
    };
    TimersController_list: {
        parameters: {
            query?: {
                definitionKey?: unknown;
                instanceId?: unknown;
                kind?: "instance" | "start";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["TimerJob"][];
                        page: number;
                        size: number;
                        total: number;
                    };
                };
            };
        };
    };
    UsersController_list: {
        parameters: {
            query?: {
                page?: unknown;
                size?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["User"][];
                        page: number;
                        size: number;
                        total: number;
                    };
                };
            };
        };
    };
    UsersController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
        };
    };
    UsersController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
        };
    };
    UsersController_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
        };
    };
    UsersController_resetPassword: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    EngineRestDeploymentController_list: {
        parameters: {
            query?: {
                after?: unknown;
                before?: unknown;
                firstResult?: unknown;
                id?: unknown;
                maxResults?: unknown;
                name?: unknown;
                nameLike?: unknown;
                sortBy?: unknown;
                sortOrder?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /**
                         * @description yyyy-MM-dd'T'HH:mm:ss.SSSZ
                         * @example 2026-12-06T10:00:00.000+0000
                         */
                        deploymentTime?: string | null;
                        id?: string;
                        links?: {
                            href?: string;
                            method?: string;
                            rel?: string;
                        }[];
                        name?: string | null;
                        source?: string | null;
                        tenantId?: string | null;
                    }[];
                };
            };
        };
    };
    EngineRestDeploymentController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /**
                         * @description yyyy-MM-dd'T'HH:mm:ss.SSSZ
                         * @example 2026-12-06T10:00:00.000+0000
                         */
                        deploymentTime?: string | null;
                        id?: string;
                        links?: {
                            href?: string;
                            method?: string;
                            rel?: string;
                        }[];
                        name?: string | null;
                        source?: string | null;
                        tenantId?: string | null;
                    };
                };
            };
        };
    };
    EngineRestDeploymentController_count: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        count?: number;
                    };
                };
            };
        };
    };
    EngineRestDeploymentController_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    "deploy-changed-only"?: boolean;
                    "deployment-name"?: string;
                    "deployment-source"?: string;
                    "enable-duplicate-filtering"?: boolean;
                    /** Format: binary */
                    "process.bpmn"?: string;
                    "tenant-id"?: string;
                };
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        deployedProcessDefinitions?: {
                            [key: string]: {
                                category?: string | null;
                                deploymentId?: string;
                                description?: string | null;
                                diagram?: string | null;
                                historyTimeToLive?: number | null;
                                id?: string;
                                key?: string;
                                name?: string | null;
                                resource?: string;
                                startableInTasklist?: boolean;
                                suspended?: boolean;
                                tenantId?: string | null;
                                version?: number;
                                versionTag?: string | null;
                            };
                        } | null;
                        /**
                         * @description yyyy-MM-dd'T'HH:mm:ss.SSSZ
                         * @example 2026-12-06T10:00:00.000+0000
                         */
                        deploymentTime?: string | null;
                        id?: string;
                        links?: {
                            href?: string;
                            method?: string;
                            rel?: string;
                        }[];
                        name?: string | null;
                        source?: string | null;
                        tenantId?: string | null;
                    };
                };
            };
        };
    };
    EngineRestExternalTaskController_list: {
        parameters: {
            query?: {
                activityId?: unknown;
                businessKey?: unknown;
                externalTaskId?: unknown;
                firstResult?: unknown;
                locked?: unknown;
                maxResults?: unknown;
                noRetriesLeft?: unknown;
                notLocked?: unknown;
                priorityHigherThanOrEquals?: unknown;
                priorityLowerThanOrEquals?: unknown;
                processDefinitionId?: unknown;
                processDefinitionKey?: unknown;
                processInstanceId?: unknown;
                topicName?: unknown;
                withRetriesLeft?: unknown;
                workerId?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        activityId?: string;
                        activityInstanceId?: string;
                        businessKey?: string | null;
                        /** @example 2026-12-06T10:00:00.000+0000 */
                        createTime?: string;
                        errorMessage?: string | null;
                        executionId?: string;
                        id?: string;
                        /** @example 2026-12-06T10:05:00.000+0000 */
                        lockExpirationTime?: string | null;
                        priority?: number;
                        processDefinitionId?: string;
                        processDefinitionKey?: string;
                        processDefinitionVersionTag?: string | null;
                        processInstanceId?: string;
                        retries?: number | null;
                        suspended?: boolean;
                        tenantId?: string | null;
                        topicName?: string;
                        workerId?: string | null;
                    }[];
                };
            };
        };
    };
    EngineRestExternalTaskController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        activityId?: string;
                        activityInstanceId?: string;
                        businessKey?: string | null;
                        /** @example 2026-12-06T10:00:00.000+0000 */
                        createTime?: string;
                        errorMessage?: string | null;
                        executionId?: string;
                        id?: string;
                        /** @example 2026-12-06T10:05:00.000+0000 */
                        lockExpirationTime?: string | null;
                        priority?: number;
                        processDefinitionId?: string;
                        processDefinitionKey?: string;
                        processDefinitionVersionTag?: string | null;
                        processInstanceId?: string;
                        retries?: number | null;
                        suspended?: boolean;
                        tenantId?: string | null;
                        topicName?: string;
                        workerId?: string | null;
                    };
                };
            };
        };
    };
    EngineRestExternalTaskController_bpmnError: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    EngineRestExternalTaskController_complete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    EngineRestExternalTaskController_extendLock: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    EngineRestExternalTaskController_failure: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    EngineRestExternalTaskController_lock: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    EngineRestExternalTaskController_retries: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    EngineRestExternalTaskController_unlock: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    EngineRestExternalTaskController_count: {
        parameters: {
            query?: {
                activityId?: unknown;
                businessKey?: unknown;
                externalTaskId?: unknown;
                locked?: unknown;
                noRetriesLeft?: unknown;
                notLocked?: unknown;
                priorityHigherThanOrEquals?: unknown;
                priorityLowerThanOrEquals?: unknown;
                processDefinitionId?: unknown;
                processDefinitionKey?: unknown;
                processInstanceId?: unknown;
                topicName?: unknown;
                withRetriesLeft?: unknown;
                workerId?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        count?: number;
                    };
                };
            };
        };
    };
    EngineRestExternalTaskController_fetchAndLock: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        activityId?: string;
                        activityInstanceId?: string;
                        businessKey?: string | null;
                        /** @example 2026-12-06T10:00:00.000+0000 */
                        createTime?: string;
                        errorDetails?: string | null;
                        errorMessage?: string | null;
                        executionId?: string;
                        id?: string;
                        /** @example 2026-12-06T10:05:00.000+0000 */
                        lockExpirationTime?: string | null;
                        priority?: number;
                        processDefinitionId?: string;
                        processDefinitionKey?: string;
                        processDefinitionVersionTag?: string | null;
                        processInstanceId?: string;
                        retries?: number | null;
                        suspended?: boolean;
                        tenantId?: string | null;
                        topicName?: string;
                        variables?: {
                            [key: string]: {
                                /**
                                 * @description String, Boolean, Integer, Short, Long, Double, Date, Json, Object (application/json), Null
                                 * @example String
                                 */
                                type?: string;
                                value: unknown;
                                valueInfo?: {
                                    [key: string]: unknown;
                                };
                            };
                        };
                        workerId?: string | null;
                    }[];
                };
            };
        };
    };
    EngineRestMessageController_message: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    EngineRestProcessDefinitionController_list: {
        parameters: {
            query?: {
                active?: unknown;
                deploymentId?: unknown;
                firstResult?: unknown;
                key?: unknown;
                keyLike?: unknown;
                keysIn?: unknown;
                latestVersion?: unknown;
                maxResults?: unknown;
                name?: unknown;
                nameLike?: unknown;
                processDefinitionId?: unknown;
                processDefinitionIdIn?: unknown;
                sortBy?: unknown;
                sortOrder?: unknown;
                suspended?: unknown;
                version?: unknown;
                versionTag?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        category?: string | null;
                        deploymentId?: string;
                        description?: string | null;
                        diagram?: string | null;
                        historyTimeToLive?: number | null;
                        id?: string;
                        key?: string;
                        name?: string | null;
                        resource?: string;
                        startableInTasklist?: boolean;
                        suspended?: boolean;
                        tenantId?: string | null;
                        version?: number;
                        versionTag?: string | null;
                    }[];
                };
            };
        };
    };
    EngineRestProcessDefinitionController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        category?: string | null;
                        deploymentId?: string;
                        description?: string | null;
                        diagram?: string | null;
                        historyTimeToLive?: number | null;
                        id?: string;
                        key?: string;
                        name?: string | null;
                        resource?: string;
                        startableInTasklist?: boolean;
                        suspended?: boolean;
                        tenantId?: string | null;
                        version?: number;
                        versionTag?: string | null;
                    };
                };
            };
        };
    };
    EngineRestProcessDefinitionController_startById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        businessKey?: string | null;
                        caseInstanceId?: string | null;
                        definitionId?: string;
                        definitionKey?: string;
                        ended?: boolean;
                        id?: string;
                        links?: {
                            href?: string;
                            method?: string;
                            rel?: string;
                        }[];
                        suspended?: boolean;
                        tenantId?: string | null;
                        variables?: {
                            [key: string]: {
                                /**
                                 * @description String, Boolean, Integer, Short, Long, Double, Date, Json, Object (application/json), Null
                                 * @example String
                                 */
                                type?: string;
                                value: unknown;
                                valueInfo?: {
                                    [key: string]: unknown;
                                };
                            };
                        };
                    };
                };
            };
        };
    };
    EngineRestProcessDefinitionController_xml: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        bpmn20Xml?: string;
                        id?: string;
                    };
                };
            };
        };
    };
    EngineRestProcessDefinitionController_count: {
        parameters: {
            query?: {
                active?: unknown;
                deploymentId?: unknown;
                key?: unknown;
                keyLike?: unknown;
                keysIn?: unknown;
                latestVersion?: unknown;
                name?: unknown;
                nameLike?: unknown;
                processDefinitionId?: unknown;
                processDefinitionIdIn?: unknown;
                suspended?: unknown;
                version?: unknown;
                versionTag?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        count?: number;
                    };
                };
            };
        };
    };
    EngineRestProcessDefinitionController_byKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        category?: string | null;
                        deploymentId?: string;
                        description?: string | null;
                        diagram?: string | null;
                        historyTimeToLive?: number | null;
                        id?: string;
                        key?: string;
                        name?: string | null;
                        resource?: string;
                        startableInTasklist?: boolean;
                        suspended?: boolean;
                        tenantId?: string | null;
                        version?: number;
                        versionTag?: string | null;
                    };
                };
            };
        };
    };
    EngineRestProcessDefinitionController_startByKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                key: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        businessKey?: string | null;
                        caseInstanceId?: string | null;
                        definitionId?: string;
                        definitionKey?: string;
                        ended?: boolean;
                        id?: string;
                        links?: {
                            href?: string;
                            method?: string;
                            rel?: string;
                        }[];
                        suspended?: boolean;
                        tenantId?: string | null;
                        variables?: {
                            [key: string]: {
                                /**
                                 * @description String, Boolean, Integer, Short, Long, Double, Date, Json, Object (application/json), Null
                                 * @example String
                                 */
                                type?: string;
                                value: unknown;
                                valueInfo?: {
                                    [key: string]: unknown;
                                };
                            };
                        };
                    };
                };
            };
        };
    };
    EngineRestProcessDefinitionController_xmlByKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        bpmn20Xml?: string;
                        id?: string;
                    };
                };
            };
        };
    };
    EngineRestProcessInstanceController_list: {
        parameters: {
            query?: {
                businessKey?: unknown;
                businessKeyLike?: unknown;
                firstResult?: unknown;
                maxResults?: unknown;
                processDefinitionId?: unknown;
                processDefinitionKey?: unknown;
                processDefinitionKeyIn?: unknown;
                processInstanceIds?: unknown;
                rootProcessInstances?: unknown;
                sortBy?: unknown;
                sortOrder?: unknown;
                superProcessInstance?: unknown;
                suspended?: unknown;
                withIncident?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        businessKey?: string | null;
                        caseInstanceId?: string | null;
                        definitionId?: string;
                        definitionKey?: string;
                        ended?: boolean;
                        id?: string;
                        links?: {
                            href?: string;
                            method?: string;
                            rel?: string;
                        }[];
                        suspended?: boolean;
                        tenantId?: string | null;
                        variables?: {
                            [key: string]: {
                                /**
                                 * @description String, Boolean, Integer, Short, Long, Double, Date, Json, Object (application/json), Null
                                 * @example String
                                 */
                                type?: string;
                                value: unknown;
                                valueInfo?: {
                                    [key: string]: unknown;
                                };
                            };
                        };
                    }[];
                };
            };
        };
    };
    EngineRestProcessInstanceController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        businessKey?: string | null;
                        caseInstanceId?: string | null;
                        definitionId?: string;
                        definitionKey?: string;
                        ended?: boolean;
                        id?: string;
                        links?: {
                            href?: string;
                            method?: string;
                            rel?: string;
                        }[];
                        suspended?: boolean;
                        tenantId?: string | null;
                        variables?: {
                            [key: string]: {
                                /**
                                 * @description String, Boolean, Integer, Short, Long, Double, Date, Json, Object (application/json), Null
                                 * @example String
                                 */
                                type?: string;
                                value: unknown;
                                valueInfo?: {
                                    [key: string]: unknown;
                                };
                            };
                        };
                    };
                };
            };
        };
    };
    EngineRestProcessInstanceController_delete: {
        parameters: {
            query?: {
                failIfNotExists?: unknown;
                skipCustomListeners?: unknown;
                skipIoMappings?: unknown;
                skipSubprocesses?: unknown;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    EngineRestProcessInstanceController_variables: {
        parameters: {
            query?: {
                deserializeValues?: unknown;
                variableNames?: unknown;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: {
                            /**
                             * @description String, Boolean, Integer, Short, Long, Double, Date, Json, Object (application/json), Null
                             * @example String
                             */
                            type?: string;
                            value: unknown;
                            valueInfo?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
        };
    };
    EngineRestProcessInstanceController_count: {
        parameters: {
            query?: {
                businessKey?: unknown;
                businessKeyLike?: unknown;
                processDefinitionId?: unknown;
                processDefinitionKey?: unknown;
                processDefinitionKeyIn?: unknown;
                processInstanceIds?: unknown;
                rootProcessInstances?: unknown;
                superProcessInstance?: unknown;
                suspended?: unknown;
                withIncident?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        count?: number;
                    };
                };
            };
        };
    };
    EngineRestMessageController_signal: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    EngineRestTaskController_list: {
        parameters: {
            query?: {
                assigned?: unknown;
                assignee?: unknown;
                assigneeIn?: unknown;
                assigneeLike?: unknown;
                candidateGroup?: unknown;
                candidateGroups?: unknown;
                candidateUser?: unknown;
                createdAfter?: unknown;
                createdBefore?: unknown;
                dueAfter?: unknown;
                dueBefore?: unknown;
                firstResult?: unknown;
                includeAssignedTasks?: unknown;
                maxResults?: unknown;
                name?: unknown;
                nameLike?: unknown;
                priority?: unknown;
                processDefinitionId?: unknown;
                processDefinitionKey?: unknown;
                processDefinitionKeyIn?: unknown;
                processInstanceBusinessKey?: unknown;
                processInstanceId?: unknown;
                processInstanceIdIn?: unknown;
                sortBy?: unknown;
                sortOrder?: unknown;
                suspended?: unknown;
                taskDefinitionKey?: unknown;
                taskDefinitionKeyIn?: unknown;
                unassigned?: unknown;
                withCandidateGroups?: unknown;
                withoutCandidateGroups?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        assignee?: string | null;
                        /**
                         * @description yyyy-MM-dd'T'HH:mm:ss.SSSZ
                         * @example 2026-12-06T10:00:00.000+0000
                         */
                        created?: string | null;
                        /**
                         * @description yyyy-MM-dd'T'HH:mm:ss.SSSZ
                         * @example 2026-12-06T10:00:00.000+0000
                         */
                        due?: string | null;
                        executionId?: string;
                        /**
                         * @description yyyy-MM-dd'T'HH:mm:ss.SSSZ
                         * @example 2026-12-06T10:00:00.000+0000
                         */
                        followUp?: string | null;
                        formKey?: string | null;
                        id?: string;
                        name?: string | null;
                        owner?: string | null;
                        priority?: number;
                        processDefinitionId?: string;
                        processInstanceId?: string;
                        suspended?: boolean;
                        taskDefinitionKey?: string;
                        tenantId?: string | null;
                    }[];
                };
            };
        };
    };
    EngineRestTaskController_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        assignee?: string | null;
                        /**
                         * @description yyyy-MM-dd'T'HH:mm:ss.SSSZ
                         * @example 2026-12-06T10:00:00.000+0000
                         */
                        created?: string | null;
                        /**
                         * @description yyyy-MM-dd'T'HH:mm:ss.SSSZ
                         * @example 2026-12-06T10:00:00.000+0000
                         */
                        due?: string | null;
                        executionId?: string;
                        /**
                         * @description yyyy-MM-dd'T'HH:mm:ss.SSSZ
                         * @example 2026-12-06T10:00:00.000+0000
                         */
                        followUp?: string | null;
                        formKey?: string | null;
                        id?: string;
                        name?: string | null;
                        owner?: string | null;
                        priority?: number;
                        processDefinitionId?: string;
                        processInstanceId?: string;
                        suspended?: boolean;
                        taskDefinitionKey?: string;
                        tenantId?: string | null;
                    };
                };
            };
        };
    };
    EngineRestTaskController_claim: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    EngineRestTaskController_complete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    EngineRestTaskController_formVariables: {
        parameters: {
            query?: {
                deserializeValues?: unknown;
                variableNames?: unknown;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: {
                            /**
                             * @description String, Boolean, Integer, Short, Long, Double, Date, Json, Object (application/json), Null
                             * @example String
                             */
                            type?: string;
                            value: unknown;
                            valueInfo?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
        };
    };
    EngineRestTaskController_submitForm: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": unknown;
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    EngineRestTaskController_unclaim: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    EngineRestTaskController_variables: {
        parameters: {
            query?: {
                deserializeValues?: unknown;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: {
                            /**
                             * @description String, Boolean, Integer, Short, Long, Double, Date, Json, Object (application/json), Null
                             * @example String
                             */
                            type?: string;
                            value: unknown;
                            valueInfo?: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
            };
        };
    };
    EngineRestTaskController_count: {
        parameters: {
            query?: {
                assigned?: unknown;
                assignee?: unknown;
                assigneeIn?: unknown;
                assigneeLike?: unknown;
                candidateGroup?: unknown;
                candidateGroups?: unknown;
                candidateUser?: unknown;
                createdAfter?: unknown;
                createdBefore?: unknown;
                dueAfter?: unknown;
                dueBefore?: unknown;
                includeAssignedTasks?: unknown;
                name?: unknown;
                nameLike?: unknown;
                priority?: unknown;
                processDefinitionId?: unknown;
                processDefinitionKey?: unknown;
                processDefinitionKeyIn?: unknown;
                processInstanceBusinessKey?: unknown;
                processInstanceId?: unknown;
                processInstanceIdIn?: unknown;
                suspended?: unknown;
                taskDefinitionKey?: unknown;
                taskDefinitionKeyIn?: unknown;
                unassigned?: unknown;
                withCandidateGroups?: unknown;
                withoutCandidateGroups?: unknown;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        count?: number;
                    };
                };
            };
        };
    };
    EngineRestDeploymentController_version: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @example 7.22.0 */
                        version?: string;
                    };
                };
            };
        };
    };
}
