// Workflow-safe: the input of the email workflow, shared by its starter and the workflow.

export interface EmailWorkflowInput {
  /** The email_messages row: recipients and words are read by the activity, never carried here. */
  messageId: string;
  /** EMAIL_RETRY_INTERVAL and EMAIL_MAX_ATTEMPTS as configured when the message was queued. */
  retry: { initialIntervalMs: number; maximumAttempts: number };
}

export const emailWorkflowId = (messageId: string) => `email:${messageId}`;
