// The processor's DPO (DESIGN §3.6): its stream's state, its change through its workflow, and the processing record read from the read models.
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  ACTING_STATUSES,
  PROCESSOR_DPO_ID,
  processorDpoStream,
  processorRecord,
  toProcessorDpoView,
  type ContractState,
  type DpoContact,
  type ProcessorDpoCommand,
  type ProcessorDpoState,
  type ProcessorDpoView,
  type TransferNoticeState,
} from '#domain';
import { type Principal } from '#infra/auth/api-keys';
import { type AppConfig } from '#infra/config/config';
import { processorDpoWorkflowId, setDpoUpdate, type ProcessorDpoWorkflowInput } from '#infra/temporal/messages';
import { APP_CONFIG } from '../config/config.module';
import { actorOf, FileCommands } from '../kit/file-commands';
import { type SetDpoDto } from './dto/processor-dpo.dto';

const now = () => new Date().toISOString();

/** DESIGN §3.6: the processor's DPO, one stream owned by one workflow. */
@Injectable()
export class ProcessorDpo {
  private readonly configured: DpoContact;

  constructor(
    @Inject(FileCommands) private readonly files: FileCommands,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.configured = { name: config.processor.dpoName, email: config.processor.dpoEmail, phone: config.processor.dpoPhone };
  }

  async state(): Promise<ProcessorDpoState> {
    const [row] = (await this.dataSource.query(`SELECT state FROM processor_dpo WHERE id = $1`, [PROCESSOR_DPO_ID])) as { state: ProcessorDpoState }[];
    return row?.state ?? { status: 'none' };
  }

  async current(): Promise<ProcessorDpoView> {
    return toProcessorDpoView(await this.state(), this.configured);
  }


  async set(body: SetDpoDto, principal: Principal): Promise<ProcessorDpoView> {
    const command: ProcessorDpoCommand = { type: 'SetDpo', data: { name: body.name, email: body.email, phone: body.phone ?? null, source: 'admin', recordedAt: now() } };
    this.files.refuseLocally(processorDpoStream.decide, command, await this.state());
    const input: ProcessorDpoWorkflowInput = { configured: this.configured };
    const opened = await this.files.open({ workflowType: 'processorDpoWorkflow', workflowId: processorDpoWorkflowId(PROCESSOR_DPO_ID, this.files.config.temporal.taskQueue), input, update: setDpoUpdate, args: { name: body.name, email: body.email, phone: body.phone ?? null, actor: actorOf(principal) } });
    return opened ? toProcessorDpoView(opened.state, this.configured) : this.current();
  }

  /** GDPR 30(2) across every controller: the contracts the processor acts for, the transfers the law required, the DPO now. */
  async record() {
    const contracts = (await this.dataSource.query(`SELECT state FROM contracts WHERE status = ANY($1) ORDER BY ordered_at, id`, [[...ACTING_STATUSES]])) as { state: ContractState }[];
    const transfers = (await this.dataSource.query(`SELECT state FROM transfer_notices ORDER BY received_at, id`)) as { state: Extract<TransferNoticeState, { contractId: string }> }[];
    const { name, email, phone } = await this.current();
    return processorRecord(
      contracts.map((r) => r.state),
      transfers.map(({ state: t }) => ({ contractId: t.contractId, destination: t.destination, legalObligation: t.legalObligation, plannedAt: t.plannedAt })),
      { name, email, phone },
      now(),
    );
  }
}
